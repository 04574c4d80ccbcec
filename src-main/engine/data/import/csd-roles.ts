import path from 'node:path';
import { ImportError } from './errors';

/**
 * Which computational sequence in a folder is the text, the audio, the visual stream and the labels.
 * Decided from names first (the HDF5 root group, the metadata 'root name', the file name, in that
 * order; then the description), then from the feature width (GloVe 300, COVAREP 74, FACET 35/47).
 * Several candidates for one role are ranked (GloVe over other text; COVAREP over OpenSMILE; FACET
 * 4.2 over 4.1 over OpenFace); a tie at the top is an error, so nothing is chosen silently.
 */
export type CsdRole = 'labels' | 'text' | 'audio' | 'visual';
export const CSD_ROLES: readonly CsdRole[] = ['text', 'audio', 'visual', 'labels'];

/** Patterns on the lower-cased name with everything but letters and digits removed; earlier = preferred. */
const PATTERNS: Record<CsdRole, readonly RegExp[]> = {
  labels: [/opinionsegmentlabels|sentimentlabels|sentiment/, /alllabels/, /labels?/],
  audio: [/covarep/, /opensmile|is09|eb10|egemaps/, /audio|acoustic|librosa|wav2vec|mfcc|speech/],
  visual: [/facet42/, /facet41/, /facet/, /openface2/, /openface/, /visual|vision|video|face|emotient/],
  text: [/glove|wordvec/, /word2vec|fasttext|bert|wordemb|embedding|text/],
};
/** Checked in this order, so "Opinion Segment Labels" is never text and "Visual_Facet" never audio. */
const ORDER: readonly CsdRole[] = ['labels', 'audio', 'visual', 'text'];

/** Feature widths of the standard SDK sequences, the last resort when no name says anything. */
const DIM_ROLES: Record<number, CsdRole> = { 300: 'text', 74: 'audio', 35: 'visual', 47: 'visual', 1: 'labels' };

export interface CsdHeaderInfo {
  file: string;
  rootName: string;
  metaRootName: string | null;
  description: string | null;
  dim: number;
  numeric: boolean;
}

export interface RoleMatch {
  role: CsdRole;
  /** Lower is preferred among candidates for the same role. */
  rank: number;
  reason: string;
}

const norm = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');

function roleOfName(name: string): { role: CsdRole; rank: number } | null {
  const n = norm(name);
  for (const role of ORDER) {
    const rank = PATTERNS[role].findIndex((p) => p.test(n));
    if (rank >= 0) return { role, rank };
  }
  return null;
}

/** The role of one sequence, or why it has none. Throws when the root group and metadata disagree. */
export function classifyCsd(h: CsdHeaderInfo): RoleMatch | { role: null; reason: string } {
  if (!h.numeric) return { role: null, reason: 'holds strings (e.g. the words themselves), not feature vectors' };
  const fromRoot = roleOfName(h.rootName);
  const fromMeta = h.metaRootName === null ? null : roleOfName(h.metaRootName);
  if (fromRoot && fromMeta && fromRoot.role !== fromMeta.role) {
    throw new ImportError(
      'layout',
      h.file,
      `${h.rootName}/metadata/root name`,
      `says '${h.metaRootName}' (${fromMeta.role}) but the root group is '${h.rootName}' (${fromRoot.role}); expected the metadata 'root name' to name the root group, as the SDK writes it`,
    );
  }
  const candidates: [string, string | null][] = [
    [`root group '${h.rootName}'`, h.rootName],
    [`metadata root name '${h.metaRootName}'`, h.metaRootName],
    [`file name ${path.basename(h.file)}`, path.basename(h.file).replace(/\.csd$/i, '')],
    ['description', h.description],
  ];
  for (const [what, name] of candidates) {
    const m = name === null ? null : roleOfName(name);
    if (m) return { ...m, reason: `${what}` };
  }
  const byDim = DIM_ROLES[h.dim];
  if (byDim) return { role: byDim, rank: 99, reason: `${h.dim} features per row` };
  return { role: null, reason: `neither its names ('${h.rootName}', ${path.basename(h.file)}) nor its width (${h.dim}) say text, audio, visual or labels` };
}

export interface Chosen<T> {
  chosen: Record<CsdRole, T>;
  reasons: Record<CsdRole, string>;
  ignored: { file: string; reason: string }[];
}

const EXAMPLES: Record<CsdRole, string> = {
  text: 'word vectors, e.g. glove_vectors (CMU_MOSI_TimestampedWordVectors.csd)',
  audio: 'acoustic features, e.g. COVAREP (CMU_MOSI_COVAREP.csd)',
  visual: 'facial features, e.g. FACET 4.2 (CMU_MOSI_Visual_Facet_42.csd)',
  labels: "the label sequence, e.g. 'Opinion Segment Labels' (CMU_MOSI_Opinion_Labels.csd)",
};

/** One sequence per role from a folder's headers; errors name the folder and what was expected. */
export function chooseRoles<T extends CsdHeaderInfo>(folder: string, headers: readonly T[]): Chosen<T> {
  const byRole = new Map<CsdRole, { h: T; m: RoleMatch }[]>();
  const ignored: { file: string; reason: string }[] = [];
  for (const h of headers) {
    const m = classifyCsd(h);
    if (m.role === null) ignored.push({ file: h.file, reason: m.reason });
    else (byRole.get(m.role) ?? byRole.set(m.role, []).get(m.role))?.push({ h, m });
  }
  const chosen = {} as Record<CsdRole, T>;
  const reasons = {} as Record<CsdRole, string>;
  const found = (): string =>
    headers.length === 0
      ? 'no .csd files'
      : headers
          .map((h) => {
            const m = classifyCsd(h);
            return `${path.basename(h.file)} (root '${h.rootName}': ${m.role ?? `ignored, ${m.reason}`})`;
          })
          .join('; ');
  for (const role of CSD_ROLES) {
    const list = (byRole.get(role) ?? []).sort((a, b) => a.m.rank - b.m.rank);
    const best = list[0];
    if (!best) {
      throw new ImportError('missing-modality', folder, '', `has no ${role} sequence; expected ${EXAMPLES[role]} among the .csd files (found: ${found()})`);
    }
    const tied = list.filter((c) => c.m.rank === best.m.rank);
    if (tied.length > 1) {
      throw new ImportError(
        'ambiguous',
        folder,
        '',
        `holds ${tied.length} equally good ${role} sequences (${tied.map((c) => `${path.basename(c.h.file)}, root '${c.h.rootName}'`).join('; ')}); keep the one to use in the folder (move the others out, or make a folder of symlinks)`,
      );
    }
    chosen[role] = best.h;
    reasons[role] = best.m.reason;
    for (const other of list.slice(1)) {
      ignored.push({ file: other.h.file, reason: `another ${role} sequence is preferred: '${best.h.rootName}' (${path.basename(best.h.file)})` });
    }
  }
  return { chosen, reasons, ignored };
}
