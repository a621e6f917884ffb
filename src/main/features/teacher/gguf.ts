import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { ModelMetadata } from '../../../shared/teacher';
import { AppError } from '../../core/errors';

/**
 * Reads and checks a GGUF file's header, metadata and tensor table in JavaScript, without llama.cpp: some malformed
 * files make llama.cpp abort the process, so everything that can be checked here is checked first.
 */

const MAGIC = 'GGUF';
const MAX_STRING = 64 * 1024 * 1024;
const MAX_ARRAY = 16 * 1024 * 1024;
const MAX_COUNT = 10_000_000;

/** ggml tensor types: [name, block size, bytes per block]. */
const GGML_TYPES: Record<number, readonly [string, number, number]> = {
  0: ['F32', 1, 4],
  1: ['F16', 1, 2],
  2: ['Q4_0', 32, 18],
  3: ['Q4_1', 32, 20],
  6: ['Q5_0', 32, 22],
  7: ['Q5_1', 32, 24],
  8: ['Q8_0', 32, 34],
  9: ['Q8_1', 32, 36],
  10: ['Q2_K', 256, 84],
  11: ['Q3_K', 256, 110],
  12: ['Q4_K', 256, 144],
  13: ['Q5_K', 256, 176],
  14: ['Q6_K', 256, 210],
  15: ['Q8_K', 256, 292],
  16: ['IQ2_XXS', 256, 66],
  17: ['IQ2_XS', 256, 74],
  18: ['IQ3_XXS', 256, 98],
  19: ['IQ1_S', 256, 50],
  20: ['IQ4_NL', 32, 18],
  21: ['IQ3_S', 256, 110],
  22: ['IQ2_S', 256, 82],
  23: ['IQ4_XS', 256, 136],
  24: ['I8', 1, 1],
  25: ['I16', 1, 2],
  26: ['I32', 1, 4],
  27: ['I64', 1, 8],
  28: ['F64', 1, 8],
  29: ['IQ1_M', 256, 56],
  30: ['BF16', 1, 2],
  34: ['TQ1_0', 256, 54],
  35: ['TQ2_0', 256, 66],
  39: ['MXFP4', 32, 17],
};

/** general.file_type values (llama_ftype). */
const FILE_TYPES: Record<number, string> = {
  0: 'F32',
  1: 'F16',
  2: 'Q4_0',
  3: 'Q4_1',
  7: 'Q8_0',
  8: 'Q5_0',
  9: 'Q5_1',
  10: 'Q2_K',
  11: 'Q3_K_S',
  12: 'Q3_K_M',
  13: 'Q3_K_L',
  14: 'Q4_K_S',
  15: 'Q4_K_M',
  16: 'Q5_K_S',
  17: 'Q5_K_M',
  18: 'Q6_K',
  19: 'IQ2_XXS',
  20: 'IQ2_XS',
  21: 'Q2_K_S',
  22: 'IQ3_XS',
  23: 'IQ3_XXS',
  24: 'IQ1_S',
  25: 'IQ4_NL',
  26: 'IQ3_S',
  27: 'IQ3_M',
  28: 'IQ2_S',
  29: 'IQ2_M',
  30: 'IQ4_XS',
  31: 'IQ1_M',
  32: 'BF16',
};

export type MetaScalar = string | number | boolean | bigint;
export interface MetaArray {
  readonly arrayType: number;
  readonly length: number;
  /** Kept only for small arrays and string arrays we need (e.g. not the vocabulary). */
  readonly values: MetaScalar[] | null;
}

export interface GgufTensorInfo {
  readonly name: string;
  readonly dims: readonly number[];
  readonly type: number;
  readonly offset: number;
  readonly bytes: number;
}

export interface GgufHeader {
  readonly version: number;
  readonly metadata: ReadonlyMap<string, MetaScalar | MetaArray>;
  readonly tensors: readonly GgufTensorInfo[];
  readonly dataOffset: number;
  readonly fileSize: number;
}

class Truncated extends Error {}

class Reader {
  private buf: Buffer = Buffer.alloc(0);
  private bufStart = 0;
  pos = 0;
  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}
  private ensure(n: number): void {
    if (this.pos + n > this.size) throw new Truncated();
    if (this.pos >= this.bufStart && this.pos + n <= this.bufStart + this.buf.length) return;
    const want = Math.max(n, 1 << 20);
    const len = Math.min(want, this.size - this.pos);
    const b = Buffer.alloc(len);
    const read = readSync(this.fd, b, 0, len, this.pos);
    if (read < n) throw new Truncated();
    this.buf = b.subarray(0, read);
    this.bufStart = this.pos;
  }
  private view(n: number): Buffer {
    this.ensure(n);
    const o = this.pos - this.bufStart;
    this.pos += n;
    return this.buf.subarray(o, o + n);
  }
  u8(): number {
    return this.view(1).readUInt8(0);
  }
  u32(): number {
    return this.view(4).readUInt32LE(0);
  }
  u64(): number {
    const v = this.view(8).readBigUInt64LE(0);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('count too large');
    return Number(v);
  }
  skip(n: number): void {
    if (this.pos + n > this.size) throw new Truncated();
    this.pos += n;
  }
  string(): string {
    const len = this.u64();
    if (len > MAX_STRING) throw new RangeError(`a text of ${len} bytes`);
    return this.view(len).toString('utf8');
  }
  scalar(type: number): MetaScalar {
    if (type === 8) return this.string();
    const scalar = SCALARS[type];
    if (!scalar) throw new RangeError(`unknown value type ${type}`);
    return scalar.read(this.view(scalar.size));
  }
}

/** GGUF's fixed-size value types by their type code (8 is a string, 9 an array): size in bytes and how to read one. */
const SCALARS: Record<number, { readonly size: number; readonly read: (b: Buffer) => MetaScalar }> = {
  0: { size: 1, read: (b) => b.readUInt8(0) },
  1: { size: 1, read: (b) => b.readInt8(0) },
  2: { size: 2, read: (b) => b.readUInt16LE(0) },
  3: { size: 2, read: (b) => b.readInt16LE(0) },
  4: { size: 4, read: (b) => b.readUInt32LE(0) },
  5: { size: 4, read: (b) => b.readInt32LE(0) },
  6: { size: 4, read: (b) => b.readFloatLE(0) },
  7: { size: 1, read: (b) => b.readUInt8(0) !== 0 },
  10: { size: 8, read: (b) => b.readBigUInt64LE(0) },
  11: { size: 8, read: (b) => b.readBigInt64LE(0) },
  12: { size: 8, read: (b) => b.readDoubleLE(0) },
};

function badFile(file: string, why: string): AppError {
  return AppError.keyed('BAD_FILE', 'teacher.usableGgufModelDownload', { file, why });
}

/** Parses the header, metadata and tensor table; throws AppError('BAD_FILE') with the reason when malformed. */
export function readGgufHeader(file: string): GgufHeader {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw AppError.keyed('NOT_FOUND', 'teacher.cannotOpenCheckPath', { file, p1: (e as Error).message });
  }
  try {
    const size = fstatSync(fd).size;
    if (size === 0) throw badFile(file, 'the file is empty.');
    const r = new Reader(fd, size);
    let stage = 'header';
    try {
      const magic = size >= 4 ? Buffer.from([r.u8(), r.u8(), r.u8(), r.u8()]).toString('latin1') : '';
      if (magic !== MAGIC) {
        throw badFile(
          file,
          `it does not start with "GGUF" (found ${JSON.stringify(magic)}); it is not a GGUF file.`,
        );
      }
      const version = r.u32();
      if (version < 2 || version > 3)
        throw badFile(file, `GGUF version ${version} is not supported (2 or 3 is).`);
      const tensorCount = r.u64();
      const kvCount = r.u64();
      if (tensorCount > MAX_COUNT || kvCount > MAX_COUNT)
        throw badFile(file, 'its header counts are impossible.');
      stage = 'metadata';
      const metadata = new Map<string, MetaScalar | MetaArray>();
      for (let i = 0; i < kvCount; i++) {
        const key = r.string();
        const type = r.u32();
        if (type === 9) {
          const arrayType = r.u32();
          const length = r.u64();
          if (length > MAX_ARRAY) throw new RangeError(`an array of ${length} items`);
          const keep = arrayType === 8 ? length <= 64 : length <= 4096;
          const values: MetaScalar[] | null = keep ? [] : null;
          for (let j = 0; j < length; j++) {
            if (arrayType === 8) {
              const s = r.string();
              values?.push(s);
            } else if (SCALARS[arrayType] !== undefined) {
              if (values) values.push(r.scalar(arrayType));
              else r.skip(SCALARS[arrayType].size);
            } else throw new RangeError(`unknown array type ${arrayType}`);
          }
          metadata.set(key, { arrayType, length, values });
        } else metadata.set(key, r.scalar(type));
      }
      stage = 'tensor table';
      const tensors: GgufTensorInfo[] = [];
      for (let i = 0; i < tensorCount; i++) {
        const name = r.string();
        const nDims = r.u32();
        if (nDims < 1 || nDims > 4) throw new RangeError(`tensor ${name} has ${nDims} dimensions`);
        const dims: number[] = [];
        for (let d = 0; d < nDims; d++) dims.push(r.u64());
        const type = r.u32();
        const offset = r.u64();
        const t = GGML_TYPES[type];
        if (!t) throw new RangeError(`tensor ${name} has unknown type ${type}`);
        const elements = dims.reduce((a, b) => a * b, 1);
        tensors.push({ name, dims, type, offset, bytes: Math.ceil(elements / t[1]) * t[2] });
      }
      const alignValue = metadata.get('general.alignment') ?? 32;
      const alignment = typeof alignValue === 'number' ? alignValue : Number.NaN;
      if (
        !Number.isInteger(alignment) ||
        alignment < 1 ||
        alignment > 65536 ||
        (alignment & (alignment - 1)) !== 0
      ) {
        throw badFile(file, `its general.alignment (${String(alignValue)}) is not a power of two.`);
      }
      const dataOffset = Math.ceil(r.pos / alignment) * alignment;
      stage = 'tensor data';
      const seen = new Set<string>();
      for (const t of tensors) {
        if (seen.has(t.name)) throw badFile(file, `its tensor ${t.name} is listed twice.`);
        seen.add(t.name);
        if (t.offset % alignment !== 0) {
          throw badFile(
            file,
            `its tensor ${t.name} starts at offset ${t.offset}, not a multiple of ${alignment}.`,
          );
        }
      }
      const byOffset = [...tensors].sort((a, b) => a.offset - b.offset);
      for (let i = 1; i < byOffset.length; i++) {
        const prev = byOffset[i - 1];
        if (prev.offset + prev.bytes > byOffset[i].offset) {
          throw badFile(file, `its tensors ${prev.name} and ${byOffset[i].name} overlap in the file.`);
        }
      }
      for (const t of tensors) {
        if (dataOffset + t.offset + t.bytes > size) {
          throw badFile(
            file,
            `it is truncated: tensor ${t.name} ends at byte ${dataOffset + t.offset + t.bytes} but the file has ${size} bytes (an interrupted copy or download?).`,
          );
        }
      }
      return { version, metadata, tensors, dataOffset, fileSize: size };
    } catch (e) {
      if (e instanceof AppError) throw e;
      if (e instanceof Truncated)
        throw badFile(file, `it is truncated in its ${stage} (an interrupted copy or download?).`);
      throw badFile(file, `its ${stage} is damaged (${(e as Error).message}).`);
    }
  } finally {
    closeSync(fd);
  }
}

/** Hyperparameters llama.cpp needs for the architectures whose tensors we check. */
const REQUIRED_KEYS = [
  'context_length',
  'embedding_length',
  'block_count',
  'feed_forward_length',
  'attention.head_count',
];

/** The attention block and the feed-forward norm: tensors every checked architecture has in each layer. */
const ATTENTION_TENSORS = [
  'attn_norm.weight',
  'attn_q.weight',
  'attn_k.weight',
  'attn_v.weight',
  'attn_output.weight',
  'ffn_norm.weight',
];

const LAYER_TENSORS: Record<string, readonly string[]> = {
  qwen2: [...ATTENTION_TENSORS, 'ffn_gate.weight', 'ffn_up.weight', 'ffn_down.weight'],
  llama: ATTENTION_TENSORS,
};

function num(v: MetaScalar | MetaArray | undefined): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return null;
}

/**
 * The longest context any model declares today is about 10 million tokens; a larger value (such as 2^32-1) is a
 * damaged or hostile header, and llama.cpp would try to allocate for it ("failed to free up space").
 */
export const MAX_MODEL_CONTEXT = 1 << 24;

/** Numbers llama.cpp divides by or allocates for: each must be a plausible positive integer. */
function checkHyperparameters(file: string, h: GgufHeader, arch: string): void {
  const positive = (key: string, max: number): number => {
    const v = h.metadata.get(key);
    const n = num(v);
    if (n === null) throw badFile(file, `its ${key} is not a number (${JSON.stringify(String(v))}).`);
    if (!Number.isInteger(n) || n < 1 || n > max) {
      throw badFile(file, `its ${key} (${n}) is impossible (expected 1 to ${max.toLocaleString('en')}).`);
    }
    return n;
  };
  const ctx = num(h.metadata.get(`${arch}.context_length`));
  if (ctx !== null && ctx > MAX_MODEL_CONTEXT) {
    throw badFile(
      file,
      `its context length (${ctx.toLocaleString('en')} tokens) is impossible: no model reads more than ` +
        `${MAX_MODEL_CONTEXT.toLocaleString('en')} tokens, so its header is damaged.`,
    );
  }
  positive(`${arch}.context_length`, MAX_MODEL_CONTEXT);
  const embd = positive(`${arch}.embedding_length`, 1 << 20);
  positive(`${arch}.block_count`, 4096);
  positive(`${arch}.feed_forward_length`, 1 << 24);
  const heads = positive(`${arch}.attention.head_count`, 4096);
  if (embd % heads !== 0) {
    throw badFile(file, `its embedding length ${embd} is not divisible by its ${heads} attention heads.`);
  }
  if (h.metadata.has(`${arch}.attention.head_count_kv`)) {
    const kv = positive(`${arch}.attention.head_count_kv`, 4096);
    if (heads % kv !== 0)
      throw badFile(file, `its ${heads} attention heads are not divisible by ${kv} KV heads.`);
  }
  const tokens = h.metadata.get('tokenizer.ggml.tokens');
  const vocabSize = tokens && typeof tokens === 'object' && 'length' in tokens ? tokens.length : 0;
  if (vocabSize === 0) throw badFile(file, 'its vocabulary (tokenizer.ggml.tokens) is empty.');
  const types = h.metadata.get('tokenizer.ggml.token_type');
  if (types && typeof types === 'object' && 'length' in types && types.length !== vocabSize) {
    throw badFile(file, `its vocabulary has ${vocabSize} tokens but ${types.length} token types.`);
  }
  for (const key of ['bos', 'eos', 'padding', 'unknown', 'eot']) {
    const id = num(h.metadata.get(`tokenizer.ggml.${key}_token_id`));
    if (id !== null && (id < 0 || id >= vocabSize)) {
      throw badFile(file, `its ${key} token id ${id} is outside its vocabulary of ${vocabSize} tokens.`);
    }
  }
}

/** Checks what llama.cpp will need and summarises the model; throws AppError('BAD_FILE') when something is missing. */
export function inspectGguf(file: string): ModelMetadata {
  const h = readGgufHeader(file);
  const arch = h.metadata.get('general.architecture');
  if (typeof arch !== 'string' || !arch) throw badFile(file, 'it has no general.architecture key.');
  const missing: string[] = [];
  for (const k of REQUIRED_KEYS) if (!h.metadata.has(`${arch}.${k}`)) missing.push(`${arch}.${k}`);
  for (const k of ['tokenizer.ggml.model', 'tokenizer.ggml.tokens']) if (!h.metadata.has(k)) missing.push(k);
  if (missing.length) throw badFile(file, `it lacks the metadata ${missing.join(', ')}.`);
  checkHyperparameters(file, h, arch);
  const layers = num(h.metadata.get(`${arch}.block_count`));
  const names = new Set(h.tensors.map((t) => t.name));
  const needed = ['token_embd.weight', 'output_norm.weight'];
  const perLayer = LAYER_TENSORS[arch];
  if (perLayer && layers !== null) {
    for (let l = 0; l < layers; l++) for (const t of perLayer) needed.push(`blk.${l}.${t}`);
  }
  const absent = needed.filter((n) => !names.has(n));
  if (absent.length) {
    const shown = absent.slice(0, 5).join(', ') + (absent.length > 5 ? ` and ${absent.length - 5} more` : '');
    throw badFile(file, `it lacks the tensors ${shown}.`);
  }
  // llama.cpp's CPU code aborts the process on half-precision norms and biases: refuse them here instead.
  const halfVectors = h.tensors.filter((t) => t.dims.length === 1 && t.type !== 0);
  if (halfVectors.length) {
    throw badFile(
      file,
      `it stores ${halfVectors.length} normalisation or bias vectors (e.g. ${halfVectors[0].name}) as ${GGML_TYPES[halfVectors[0].type]?.[0]}, which llama.cpp cannot compute with (it would crash).`,
    );
  }
  const vocab = h.metadata.get('tokenizer.ggml.tokens');
  const vocabSize = vocab && typeof vocab === 'object' && 'length' in vocab ? vocab.length : 0;
  const embd = h.tensors.find((t) => t.name === 'token_embd.weight');
  if (embd && vocabSize && embd.dims[1] !== vocabSize) {
    throw badFile(file, `its embedding has ${embd.dims[1]} rows but its vocabulary ${vocabSize} tokens.`);
  }
  const template = h.metadata.get('tokenizer.chat_template');
  const fileType = num(h.metadata.get('general.file_type'));
  const bytesByType = new Map<number, number>();
  for (const t of h.tensors) bytesByType.set(t.type, (bytesByType.get(t.type) ?? 0) + t.bytes);
  const dominant = [...bytesByType.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const quantization =
    (fileType !== null ? FILE_TYPES[fileType] : undefined) ??
    (dominant !== undefined ? GGML_TYPES[dominant]?.[0] : undefined) ??
    'unknown';
  const nameValue = h.metadata.get('general.name');
  return {
    architecture: arch,
    name: typeof nameValue === 'string' ? nameValue : null,
    parameterCount: h.tensors.reduce((a, t) => a + t.dims.reduce((x, y) => x * y, 1), 0),
    quantization,
    contextLength: num(h.metadata.get(`${arch}.context_length`)),
    layers,
    hasChatTemplate: typeof template === 'string' && template.length > 0,
    chatTemplateFamily:
      typeof template === 'string' && template.length > 0
        ? template.includes('<｜Assistant｜>')
          ? 'deepseek-r1'
          : 'other'
        : null,
    tensorCount: h.tensors.length,
  };
}
