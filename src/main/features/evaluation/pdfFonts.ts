import fontkit from '@pdf-lib/fontkit';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { PDFDocument, PDFFont } from 'pdf-lib';

/**
 * Fonts for the PDF report. Latin-1 text keeps the standard Helvetica (as it always has); any other character is drawn
 * with a CJK-capable TrueType/OpenType font found on this machine (nothing is downloaded: the app runs air-gapped).
 * Without such a font those characters become '?' and the report says so in one line.
 */

/** What Helvetica (WinAnsi) draws here: printable ASCII, Latin-1 and the three dashes/ellipsis the report uses. */
const LATIN1 = /^[\u0020-\u007e\u00a0-\u00ff…—–]$/u;

export function isLatin1(c: string): boolean {
  return LATIN1.test(c);
}

/** True when some character of the text cannot be drawn with Helvetica. */
export function needsUnicodeFont(text: string): boolean {
  for (const c of text) if (!isLatin1(c) && !/\s/u.test(c)) return true;
  return false;
}

/** Well-known places of fonts with Chinese glyphs, by platform, most common first. */
const WELL_KNOWN: readonly string[] = [
  // Debian/Ubuntu: fonts-wqy-microhei, fonts-noto-cjk, fonts-droid-fallback
  '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc',
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf',
  '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc',
  // macOS
  '/System/Library/Fonts/PingFang.ttc',
  '/System/Library/Fonts/STHeiti Medium.ttc',
  '/System/Library/Fonts/Supplemental/Arial Unicode.ttf',
  '/Library/Fonts/Arial Unicode.ttf',
  // Windows
  'C:\\Windows\\Fonts\\msyh.ttc',
  'C:\\Windows\\Fonts\\simsun.ttc',
  'C:\\Windows\\Fonts\\simhei.ttf',
];

const SCAN_ROOT = '/usr/share/fonts';
const SCAN_NAME = /(CJK|wqy|DroidSansFallback|NotoSansSC).*\.(ttf|otf|ttc)$/i;

/** Font files under /usr/share/fonts (three levels at most) whose names say they cover Chinese. */
function scanned(root: string, depth = 3): string[] {
  if (depth === 0) return [];
  let names: string[];
  try {
    names = readdirSync(root).sort();
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const name of names) {
    const path = join(root, name);
    let dir = false;
    try {
      dir = statSync(path).isDirectory();
    } catch {
      continue;
    }
    if (dir) found.push(...scanned(path, depth - 1));
    else if (SCAN_NAME.test(name)) found.push(path);
  }
  return found;
}

/** The paths tried, in order: DISTILLERY_PDF_FONT, the well-known places, then a scan of /usr/share/fonts. */
export function cjkFontCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = env.DISTILLERY_PDF_FONT?.trim();
  const all = [...(fromEnv ? [fromEnv] : []), ...WELL_KNOWN, ...scanned(SCAN_ROOT)];
  return [...new Set(all)];
}

/** A collection (.ttc) opens as its first font; a single font as itself. */
function firstFace<F>(font: F): F {
  const fonts: unknown = (font as { fonts?: unknown }).fonts;
  return Array.isArray(fonts) && fonts.length > 0 ? (fonts[0] as F) : font;
}

export interface UnicodeFontFile {
  readonly path: string;
  readonly bytes: Uint8Array;
  /** Whether the font has a glyph for the code point. */
  readonly has: (codePoint: number) => boolean;
}

const CHINESE_PROBE = [0x4e2d, 0x6587, 0x75c5]; // 中 文 病

function open(path: string): UnicodeFontFile | null {
  try {
    if (!existsSync(path)) return null;
    const bytes = readFileSync(path);
    const font = firstFace(fontkit.create(bytes));
    if (!CHINESE_PROBE.every((cp) => font.hasGlyphForCodePoint(cp))) return null;
    return { path, bytes, has: (cp) => font.hasGlyphForCodePoint(cp) };
  } catch {
    return null;
  }
}

let cached: { key: string; file: UnicodeFontFile | null } | null = null;

/** The first candidate that opens and has Chinese glyphs, or null. Looked up once per process (per DISTILLERY_PDF_FONT). */
export function findCjkFont(env: NodeJS.ProcessEnv = process.env): UnicodeFontFile | null {
  const key = env.DISTILLERY_PDF_FONT ?? '';
  if (cached?.key === key) return cached.file;
  let file: UnicodeFontFile | null = null;
  for (const path of cjkFontCandidates(env)) {
    file = open(path);
    if (file) break;
  }
  cached = { key, file };
  return file;
}

/** A font file given explicitly (tests, callers that know better), checked like the candidates. */
export function openCjkFont(path: string): UnicodeFontFile | null {
  return open(path);
}

/** Embeds the font (subset: only the glyphs used). pdf-lib gets a fontkit that opens collections as their first font. */
export async function embedUnicodeFont(doc: PDFDocument, file: UnicodeFontFile): Promise<PDFFont> {
  doc.registerFontkit({
    create: (bytes, postscriptName) => firstFace(fontkit.create(bytes, postscriptName)),
  });
  return doc.embedFont(file.bytes, { subset: true });
}
