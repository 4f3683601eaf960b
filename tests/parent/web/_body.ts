/**
 * Response bodies as text, for assertions: the API gives a large body as byte slices (src/parent/web/body.ts).
 */
import { Buffer } from "node:buffer";
import type { HttpResponse } from "../../../src/parent/web/http.ts";

/** A response whose body is text. */
export interface TextAnswer extends HttpResponse {
  readonly body: string;
}

/** The text a body holds, whether a string or UTF-8 slices. */
export function bodyText(body: HttpResponse["body"]): string {
  return typeof body === "string" ? body : Buffer.concat(body).toString("utf8");
}

/** `response` (or what it resolves to) with its body as text. */
export async function answerText(response: HttpResponse | Promise<HttpResponse>): Promise<TextAnswer> {
  const r = await response;
  return { ...r, body: bodyText(r.body) };
}
