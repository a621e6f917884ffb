import type { StudentModel } from '../model';

/**
 * Slots: the rows of a trainer's embedding table. Only the buckets the training data contains get one (in order of
 * first appearance), so a 2^20-bucket featurizer costs memory for the features seen, not for every bucket.
 */

/**
 * Slot numbers by bucket id (uint32): open addressing over typed arrays (a Map of numbers costs several times as
 * much per lookup, and featurized documents look up every feature).
 */
class SlotTable {
  private keys: Uint32Array;
  private vals: Int32Array;
  private mask: number;
  size = 0;
  constructor(expected: number) {
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.keys = new Uint32Array(cap);
    this.vals = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
  }

  private find(bucket: number): number {
    let i = Math.imul(bucket, 0x9e3779b1) >>> 0;
    for (;;) {
      i &= this.mask;
      if (this.vals[i] < 0 || this.keys[i] === bucket) return i;
      i++;
    }
  }

  /** The slot of `bucket`, or -1. */
  get(bucket: number): number {
    return this.vals[this.find(bucket)];
  }

  /** The slot of `bucket`, giving it the next one (`size`) when it has none. */
  getOrAdd(bucket: number): number {
    const i = this.find(bucket);
    if (this.vals[i] >= 0) return this.vals[i];
    this.insert(bucket, this.size);
    return this.size - 1;
  }

  /** Sets the slot of `bucket` (the last one set wins). */
  set(bucket: number, slot: number): void {
    const i = this.find(bucket);
    if (this.vals[i] >= 0) this.vals[i] = slot;
    else this.insert(bucket, slot);
  }

  private insert(bucket: number, slot: number): void {
    if (2 * (this.size + 1) > this.keys.length) this.grow();
    const i = this.find(bucket);
    this.keys[i] = bucket;
    this.vals[i] = slot;
    this.size++;
  }

  private grow(): void {
    const { keys, vals } = this;
    this.keys = new Uint32Array(keys.length * 2);
    this.vals = new Int32Array(keys.length * 2).fill(-1);
    this.mask = this.keys.length - 1;
    for (let j = 0; j < keys.length; j++) {
      if (vals[j] < 0) continue;
      const i = this.find(keys[j]);
      this.keys[i] = keys[j];
      this.vals[i] = vals[j];
    }
  }
}

/** Each distinct bucket of `idLists` gets a slot in order of first appearance; returns each list as slots. */
export function assignSlots(idLists: readonly Uint32Array[]): {
  slotBucket: Uint32Array;
  slots: Int32Array[];
} {
  return extendSlots({ slotBucket: new Uint32Array(0), slots: [] }, idLists);
}

/**
 * `assignSlots([...lists, ...more])` given `base = assignSlots(lists)`: the slots of `lists` are base's (the same
 * arrays), the buckets `more` adds get the next slots in order of first appearance. A final fit's documents are
 * the run's training ones, then validation ones: their slots are the run's, and only the new documents are looked up.
 */
export function extendSlots(
  base: { readonly slotBucket: Uint32Array; readonly slots: readonly Int32Array[] },
  more: readonly Uint32Array[],
): { slotBucket: Uint32Array; slots: Int32Array[] } {
  // Sized for about one distinct bucket in eight ids (n-grams repeat across documents), so that it rarely grows.
  let ids = 0;
  for (const l of more) ids += l.length;
  const table = new SlotTable(Math.max(1024, base.slotBucket.length + (ids >> 3)));
  const buckets: number[] = Array.from(base.slotBucket);
  for (let s = 0; s < buckets.length; s++) table.set(buckets[s], s);
  const slots = more.map((ids) => {
    const out = new Int32Array(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const s = table.getOrAdd(ids[i]);
      if (s === buckets.length) buckets.push(ids[i]);
      out[i] = s;
    }
    return out;
  });
  return { slotBucket: Uint32Array.from(buckets), slots: [...base.slots, ...slots] };
}

/** Each list of bucket ids as the slots that hold them in `slotBucket` (-1: a bucket without a row). */
export function slotsIn(slotBucket: Uint32Array, idLists: readonly Uint32Array[]): Int32Array[] {
  const table = new SlotTable(slotBucket.length);
  for (let s = 0; s < slotBucket.length; s++) table.set(slotBucket[s], s);
  return idLists.map((ids) => {
    const out = new Int32Array(ids.length);
    for (let i = 0; i < ids.length; i++) out[i] = table.get(ids[i]);
    return out;
  });
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

const SLOT_PACK = 2 ** 21;

/** Slot order by bucket of each slot table, computed once (a run saves its best model many times). */
const bucketOrders = new WeakMap<Uint32Array, Uint32Array>();

/** The slots of `slotBucket` in ascending order of their bucket (buckets are distinct). */
function bucketOrder(slotBucket: Uint32Array): Uint32Array {
  let order = bucketOrders.get(slotBucket);
  if (order === undefined) {
    const n = slotBucket.length;
    order = new Uint32Array(n);
    if (n <= SLOT_PACK) {
      // bucket * 2^21 + slot is exact in a double (buckets are uint32): a typed sort without a comparator, several
      // times faster than calling one, and the same order (buckets are distinct).
      const packed = new Float64Array(n);
      for (let s = 0; s < n; s++) packed[s] = slotBucket[s] * SLOT_PACK + s;
      packed.sort();
      for (let i = 0; i < n; i++) order[i] = packed[i] % SLOT_PACK;
    } else {
      for (let s = 0; s < n; s++) order[s] = s;
      order.sort((a, b) => slotBucket[a] - slotBucket[b]);
    }
    bucketOrders.set(slotBucket, order);
  }
  return order;
}

/**
 * The embedding table sorted by bucket (what a saved model holds), from a table by slot. `into`: arrays of the
 * right sizes to write into instead of new ones (a run saves its best model many times: fresh arrays of megabytes
 * cost their page faults and garbage collection each time, more than the copy itself).
 */
export function rowsByBucket(
  slotBucket: Uint32Array,
  emb: Float32Array,
  dim: number,
  into?: { readonly rowIds: Uint32Array; readonly embeddings: Float32Array },
): { rowIds: Uint32Array; embeddings: Float32Array } {
  const order = bucketOrder(slotBucket);
  const fits = into && into.rowIds.length === order.length && into.embeddings.length === order.length * dim;
  const rowIds = fits ? into.rowIds : new Uint32Array(order.length);
  const embeddings = fits ? into.embeddings : new Float32Array(order.length * dim);
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
  /**
   * Where `slot`'s gradient row is this step, valid when touched[localOf[slot]] === slot (a stale or zero entry
   * points at another slot or past the end): one table read per lookup, not a step stamp and a row number each.
   */
  private readonly localOf: Int32Array;
  /** `maxRows`: the most rows one step can touch (default: all slots). */
  constructor(
    slots: number,
    private readonly dim: number,
    maxRows = slots,
  ) {
    this.g = new Float64Array(Math.min(slots, maxRows) * dim);
    this.localOf = new Int32Array(slots);
  }

  begin(): void {
    this.touched.length = 0;
  }

  /** The gradient row of `slot` this step (zeroed when it is first touched). */
  rowOf(slot: number): number {
    const touched = this.touched;
    const local = this.localOf[slot];
    if (local < touched.length && touched[local] === slot) return local;
    const dim = this.dim;
    const row = touched.length;
    this.localOf[slot] = row;
    // A loop rather than g.fill: rows are a few numbers wide, and this runs for every new row of every step.
    const g = this.g;
    for (let d = row * dim, end = d + dim; d < end; d++) g[d] = 0;
    touched.push(slot);
    return row;
  }

  /** The gradient of `slot` += scale * src[from .. from + dim]. */
  add(slot: number, src: ArrayLike<number>, from: number, scale = 1): void {
    const dim = this.dim;
    const off = this.rowOf(slot) * dim;
    if (scale === 1) for (let d = 0; d < dim; d++) this.g[off + d] += src[from + d];
    else for (let d = 0; d < dim; d++) this.g[off + d] += src[from + d] * scale;
  }
}
