import type { StudentModel } from '../model';

/**
 * Slots: the rows of a trainer's embedding table. Only the buckets the training data contains get one (in order of
 * first appearance), so a 2^20-bucket featurizer costs memory for the features seen, not for every bucket.
 */

/** Each distinct bucket of `idLists` gets a slot in order of first appearance; returns each list as slots. */
export function assignSlots(idLists: readonly Uint32Array[]): {
  slotBucket: Uint32Array;
  slots: Int32Array[];
} {
  const slotOfBucket = new Map<number, number>();
  const buckets: number[] = [];
  const slots = idLists.map((ids) => {
    const out = new Int32Array(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const b = ids[i];
      let s = slotOfBucket.get(b);
      if (s === undefined) {
        s = buckets.length;
        slotOfBucket.set(b, s);
        buckets.push(b);
      }
      out[i] = s;
    }
    return out;
  });
  return { slotBucket: Uint32Array.from(buckets), slots };
}

/** Each list of bucket ids as the slots that hold them in `slotBucket` (-1: a bucket without a row). */
export function slotsIn(slotBucket: Uint32Array, idLists: readonly Uint32Array[]): Int32Array[] {
  const slotOf = new Map<number, number>();
  slotBucket.forEach((b, slot) => slotOf.set(b, slot));
  return idLists.map((ids) => Int32Array.from(ids, (b) => slotOf.get(b) ?? -1));
}

/**
 * A warm start's embedding rows: the rows of `fresh` (slots of the training data, initialised as `freshEmb`) with
 * every bucket the earlier model has taking its row, and the model's other buckets appended as extra slots.
 */
export function mergeRows(
  slotBucket: Uint32Array,
  freshEmb: Float32Array,
  model: Pick<StudentModel, 'rowIds' | 'embeddings' | 'dim'>,
): { slotBucket: Uint32Array; emb: Float32Array } {
  const { dim } = model;
  const known = new Set(slotBucket);
  const extra: number[] = [];
  for (const b of model.rowIds) if (!known.has(b)) extra.push(b);
  const merged = new Uint32Array(slotBucket.length + extra.length);
  merged.set(slotBucket);
  merged.set(extra, slotBucket.length);
  const rowOf = new Map<number, number>();
  model.rowIds.forEach((b, i) => rowOf.set(b, i));
  const emb = new Float32Array(merged.length * dim);
  emb.set(freshEmb);
  merged.forEach((b, slot) => {
    const row = rowOf.get(b);
    if (row !== undefined) emb.set(model.embeddings.subarray(row * dim, (row + 1) * dim), slot * dim);
  });
  return { slotBucket: merged, emb };
}

/** Slot order by bucket of each slot table, computed once (a run saves its best model many times). */
const bucketOrders = new WeakMap<Uint32Array, Uint32Array>();

/** The slots of `slotBucket` in ascending order of their bucket (buckets are distinct). */
function bucketOrder(slotBucket: Uint32Array): Uint32Array {
  let order = bucketOrders.get(slotBucket);
  if (order === undefined) {
    order = new Uint32Array(slotBucket.length);
    for (let s = 0; s < order.length; s++) order[s] = s;
    order.sort((a, b) => slotBucket[a] - slotBucket[b]);
    bucketOrders.set(slotBucket, order);
  }
  return order;
}

/** The embedding table sorted by bucket (what a saved model holds), from a table by slot. */
export function rowsByBucket(
  slotBucket: Uint32Array,
  emb: Float32Array,
  dim: number,
): { rowIds: Uint32Array; embeddings: Float32Array } {
  const order = bucketOrder(slotBucket);
  const rowIds = new Uint32Array(order.length);
  const embeddings = new Float32Array(order.length * dim);
  for (let i = 0; i < order.length; i++) {
    const slot = order[i];
    rowIds[i] = slotBucket[slot];
    const from = slot * dim;
    const to = i * dim;
    for (let d = 0; d < dim; d++) embeddings[to + d] = emb[from + d];
  }
  return { rowIds, embeddings };
}

/**
 * The embedding rows' gradient of one step, compact (adamRows' layout): the gradient of touched[t] is
 * g[t * dim .. (t + 1) * dim); `rowOf` lists a row on its first touch.
 */
export class RowGrad {
  readonly g: Float64Array;
  readonly touched: number[] = [];
  private readonly touchedAt: Int32Array;
  private readonly localOf: Int32Array;
  private step = 0;
  /** `maxRows`: the most rows one step can touch (default: all slots). */
  constructor(
    slots: number,
    private readonly dim: number,
    maxRows = slots,
  ) {
    this.g = new Float64Array(Math.min(slots, maxRows) * dim);
    this.touchedAt = new Int32Array(slots).fill(-1);
    this.localOf = new Int32Array(slots);
  }

  begin(step: number): void {
    this.step = step;
    this.touched.length = 0;
  }

  /** The gradient row of `slot` this step (zeroed when it is first touched). */
  rowOf(slot: number): number {
    const dim = this.dim;
    if (this.touchedAt[slot] !== this.step) {
      this.touchedAt[slot] = this.step;
      this.localOf[slot] = this.touched.length;
      this.g.fill(0, this.touched.length * dim, (this.touched.length + 1) * dim);
      this.touched.push(slot);
    }
    return this.localOf[slot];
  }

  /** The gradient of `slot` += scale * src[from .. from + dim]. */
  add(slot: number, src: ArrayLike<number>, from: number, scale = 1): void {
    const dim = this.dim;
    const off = this.rowOf(slot) * dim;
    if (scale === 1) for (let d = 0; d < dim; d++) this.g[off + d] += src[from + d];
    else for (let d = 0; d < dim; d++) this.g[off + d] += src[from + d] * scale;
  }
}
