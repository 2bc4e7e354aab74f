/** What services report about their work; the HTTP layer turns it into Prometheus metrics. */
export interface Telemetry {
  uploadCommitted(bytes: number, deduplicated: boolean): void;
}
