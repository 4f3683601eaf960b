/** rill's version, shown by `--version` and sent as the program version in the handshake's User-Agent. */
export const RILL_VERSION = "0.1.0";
