/**
 * Which encoding a server's names are in, from their bytes: UTF-8 when every name is valid UTF-8
 * (other encodings' text almost never is), else the most plausible of cp1252/latin1 and the CJK
 * encodings (euc-kr, shift_jis, gbk, big5). Plausible means the decoded characters are what names
 * in that language are made of: Latin letters beside ASCII for cp1252, Hangul syllables for
 * euc-kr, kana and kanji for shift_jis, the common hanzi of GB2312 (gbk) or of Big5's frequent
 * block (big5). The client logs the finding and the doctor reports it; neither changes the setting.
 */
import { createCodec, describeName, hasRawBytes, iconvLite } from './encoding';

export interface EncodingGuess {
  /** The site's encoding the names were read with. */
  current: string;
  /** The names read cleanly in the site's encoding and no other encoding reads them clearly better. */
  fits: boolean;
  /** The encoding that fits best, when it is not the site's. */
  suggested?: string;
  /** Others that read the names about as well. */
  alternatives: string[];
  /** Names looked at that hold bytes outside ASCII (the only ones that tell anything). */
  nonAscii: number;
  /** A few of those names: as the site's encoding shows them (raw bytes as \xNN) and as the suggested one reads them. */
  samples: Array<{ raw: string; shown: string }>;
}

const CANDIDATES = ['utf8', 'cp1252', 'latin1', 'euc-kr', 'shift_jis', 'gbk', 'big5'] as const;

const isIdeograph = (cp: number) => (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0xf900 && cp <= 0xfaff);
const LATIN_LETTER = /^[\p{Script=Latin}]$/u;

// The most frequent characters of names in each language, to tell euc-kr from gbk when both read
// the bytes as common characters (every EUC-KR Hangul syllable is also a GB2312 level-1 hanzi).
const COMMON_HANGUL = new Set('이의가는에을를다고하지서기사로리자대한일정수부도시인구어상전아스나제보그주들해과으장여적드와만소경성트문원라년월진파학회업용표명신관개발운영계획결과자료사진동영상음악문서백업설정테스트버전최종수정본'.split(''));
const COMMON_HANZI = new Set('的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长件数据报告表图片资料档案新建夹备份项目计划设测试版记录视频音乐照相文档'.split(''));
const COMMON_HANZI_TRADITIONAL = new Set('的一是不了人我在有他這中大來上國個到說們為子和你地出道也時年得就那要下以生會自著去之過家學對可裡後小麼心多天而能好都然沒日於起還發成事只作當想看文無開手十用主行方又如前所本見經頭面公同三已老從動兩長件數據報告表圖片資料檔案新建備份項目計劃設測試版記錄視頻音樂照相'.split(''));

/** How much a character looks like part of a name in that encoding's language: 0 (not at all) to 1. */
function charScore(encoding: string, text: string, k: number, cp: number): number {
  const ch = String.fromCodePoint(cp);
  switch (encoding) {
    case 'cp1252':
    case 'latin1': {
      if (cp >= 0x80 && cp <= 0x9f) return 0; // C1 controls: never in a name
      if (!LATIN_LETTER.test(ch)) return 0.2; // ± © ¶ € „ ...: possible, rare
      // Western names have an accented letter or two among ASCII ones; long runs of them are text of another encoding.
      const before = k > 0 && text.charCodeAt(k - 1) >= 0x80;
      const after = k + 1 < text.length && text.charCodeAt(k + 1) >= 0x80;
      return before && after ? 0.5 : 1;
    }
    case 'euc-kr':
      if (cp >= 0xac00 && cp <= 0xd7a3) {
        // KS X 1001's 2,350 syllables (B0A1..C8FE); the rest are cp949 extensions that stray bytes read as.
        const b = iconvLite().encode(ch, encoding);
        if (b[0] < 0xb0 || b[1] < 0xa1) return 0.3;
        return COMMON_HANGUL.has(ch) ? 1.1 : 1;
      }
      return isIdeograph(cp) ? 0.4 : 0.1;
    case 'shift_jis':
      if (cp >= 0x3040 && cp <= 0x30ff) return 1;
      if (isIdeograph(cp)) return 0.8;
      if (cp >= 0xff61 && cp <= 0xff9f) return 0.2; // half-width katakana: what single high bytes of other encodings read as
      return cp >= 0xff01 && cp <= 0xff5e ? 0.5 : 0.1;
    case 'gbk':
    case 'big5': {
      if (!isIdeograph(cp)) return cp >= 0x3000 && cp <= 0x303f ? 0.5 : 0.1;
      const b = iconvLite().encode(ch, encoding);
      // GB2312 level 1 (the 3,755 common hanzi) and Big5's frequent block: what real names use most.
      const common = encoding === 'gbk' ? b[0] >= 0xb0 && b[0] <= 0xd7 && b[1] >= 0xa1 : b[0] >= 0xa4 && b[0] <= 0xc6;
      const frequent = (encoding === 'gbk' ? COMMON_HANZI : COMMON_HANZI_TRADITIONAL).has(ch);
      return common ? (frequent ? 1.1 : 1) : 0.5;
    }
    default:
      return /^\p{L}$/u.test(ch) ? 1 : 0.2;
  }
}

interface Reading {
  encoding: string;
  /** Every name decoded without raw bytes. */
  valid: boolean;
  score: number;
  texts: string[];
}

function read(encoding: string, names: Buffer[]): Reading {
  const codec = createCodec(encoding);
  const texts = names.map((b) => codec.decode(b));
  if (texts.some(hasRawBytes)) return { encoding, valid: false, score: 0, texts };
  if (encoding === 'utf8') return { encoding, valid: true, score: 1.2, texts }; // valid multi-byte UTF-8 by chance is rare
  let sum = 0;
  let count = 0;
  for (const text of texts) {
    for (let k = 0; k < text.length; k++) {
      const cp = text.codePointAt(k)!;
      if (cp > 0xffff) k++;
      if (cp < 0x80) continue;
      sum += charScore(encoding, text, k, cp);
      count++;
    }
  }
  return { encoding, valid: true, score: count ? sum / count : 1, texts };
}

const normalized = (e: string) => e.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Judges the raw bytes of names a server listed, read with the site's encoding `current`. */
export function guessNameEncoding(names: readonly Buffer[], current: string): EncodingGuess {
  const telling = names.filter((b) => b.some((x) => x >= 0x80));
  const currentCodec = createCodec(current);
  const samplesOf = (r?: Reading) => telling.slice(0, 3).map((b, i) => ({ raw: describeName(currentCodec.decode(b)), shown: r ? r.texts[i] : describeName(currentCodec.decode(b)) }));
  if (!telling.length) return { current, fits: true, alternatives: [], nonAscii: 0, samples: [] };
  const isCurrent = (e: string) => normalized(e) === normalized(current) || (normalized(current) === 'utf8' && e === 'utf8');
  const readings = CANDIDATES.map((e) => read(e, telling));
  if (!CANDIDATES.some(isCurrent)) readings.push(read(current, telling));
  const valid = readings.filter((r) => r.valid).sort((a, b) => b.score - a.score);
  const mine = readings.find((r) => isCurrent(r.encoding))!;
  const best = valid[0];
  // The site's encoding fits when it reads every name and nothing reads them clearly better.
  if (mine.valid && (!best || best.score < mine.score + 0.25)) return { current, fits: true, alternatives: [], nonAscii: telling.length, samples: samplesOf(mine) };
  if (!best) return { current, fits: false, alternatives: [], nonAscii: telling.length, samples: samplesOf() };
  // cp1252 and latin1 read the same letters: cp1252 (what Windows servers use) unless a byte only latin1 has.
  let suggested = best;
  if (best.encoding === 'latin1') suggested = valid.find((r) => r.encoding === 'cp1252' && r.score >= best.score - 0.05) ?? best;
  const alternatives = valid
    .filter((r) => r !== suggested && r.score >= suggested.score - 0.1 && !(r.encoding === 'latin1' && suggested.encoding === 'cp1252') && !isCurrent(r.encoding))
    .map((r) => r.encoding);
  return { current, fits: false, suggested: suggested.encoding, alternatives, nonAscii: telling.length, samples: samplesOf(suggested) };
}

/** The log line (and the doctor's words) for a guess that does not fit: names on <site> look like cp1252: set "encoding": "cp1252". */
export function encodingAdvice(site: string, g: EncodingGuess): string | undefined {
  if (g.fits) return undefined;
  const example = g.samples[0];
  const eg = example ? ` (e.g. "${example.raw}" reads "${example.shown}")` : '';
  if (!g.suggested) return `names on ${site} are not valid ${g.current}, and no encoding tried (utf8, cp1252, euc-kr, shift_jis, gbk, big5) reads them${eg}`;
  const others = g.alternatives.length ? ` (or ${g.alternatives.join(', ')})` : '';
  return `names on ${site} look like ${g.suggested}${others}, not ${g.current}${eg}: set "encoding": "${g.suggested}"`;
}
