/** A batch being filled: its distinct keys and the one answer all its callers share. */
interface OpenBatch<Row> {
  readonly keys: Set<string>;
  readonly rows: Promise<Row[]>;
  readonly start: () => void;
}

/**
 * Coalesces the keys asked for within one turn of the event loop into one call of `fetch`
 * (at most `maxKeys` distinct keys per call): every caller of one batch gets the rows of all its
 * keys and picks its own. The batch goes out in the same turn's check phase (`setImmediate`),
 * so a lone request waits for nothing; under load, the requests parsed in one poll phase share
 * one statement, hence one pooled connection instead of one each. A failed `fetch` rejects
 * every caller of its batch.
 */
export class Coalescer<Row> {
  private open: OpenBatch<Row> | null = null;

  /**
   * @param fetch - the rows of some distinct keys (one statement).
   * @param maxKeys - the most distinct keys one call is given.
   */
  constructor(
    private readonly fetch: (keys: string[]) => Promise<Row[]>,
    private readonly maxKeys: number,
  ) {}

  /** The rows of the batch `key` joins (they include `key`'s rows, if any). */
  get(key: string): Promise<Row[]> {
    const batch = this.open ?? this.openBatch();
    batch.keys.add(key);
    if (batch.keys.size >= this.maxKeys) this.close(batch);
    return batch.rows;
  }

  private openBatch(): OpenBatch<Row> {
    const keys = new Set<string>();
    let start: () => void = () => undefined;
    const rows = new Promise<Row[]>((resolve, reject) => {
      start = () => {
        try {
          this.fetch([...keys]).then(resolve, reject);
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      };
    });
    const batch = { keys, rows, start };
    this.open = batch;
    setImmediate(() => {
      this.close(batch);
    });
    return batch;
  }

  private close(batch: OpenBatch<Row>): void {
    if (this.open !== batch) return;
    this.open = null;
    batch.start();
  }
}
