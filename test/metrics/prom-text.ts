// A small parser of the Prometheus text format (0.0.4) for the tests: samples with their
// labels, and the # TYPE of each family. Strict enough to catch a malformed exposition: every
// sample must belong to a family declared before it, and no series may appear twice.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** Family name → counter | gauge | histogram | summary | untyped. */
  types: Map<string, string>;
  /** The value of the one sample with exactly these labels, or undefined. */
  get(name: string, labels?: Record<string, string>): number | undefined;
  /** Samples of a name whose labels include `where`. */
  select(name: string, where?: Record<string, string>): Sample[];
}

function parseLabels(s: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < s.length) {
    const m = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(s.slice(i));
    if (!m) throw new Error(`bad labels in: ${line}`);
    i += m[0].length;
    let v = '';
    for (;;) {
      if (i >= s.length) throw new Error(`unterminated label value in: ${line}`);
      const c = s[i++];
      if (c === '"') break;
      if (c === '\\') {
        const e = s[i++];
        v += e === 'n' ? '\n' : e;
      } else v += c;
    }
    if (m[1] in labels) throw new Error(`label ${m[1]} twice in: ${line}`);
    labels[m[1]] = v;
    const rest = s.slice(i);
    const sep = /^\s*,?\s*/.exec(rest)!;
    i += sep[0].length;
  }
  return labels;
}

function parseValue(v: string): number {
  if (v === '+Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  if (/^nan$/i.test(v)) return NaN; // prom-client writes "Nan"; Prometheus reads it case-insensitively
  const n = Number(v);
  if (Number.isNaN(n)) throw new Error(`bad value ${v}`);
  return n;
}

const SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created'];

function familyOf(name: string, types: Map<string, string>): string | undefined {
  if (types.has(name)) return name;
  for (const s of SUFFIXES) if (name.endsWith(s) && types.has(name.slice(0, -s.length))) return name.slice(0, -s.length);
  return undefined;
}

const key = (name: string, labels: Record<string, string>) =>
  `${name}{${Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',')}}`;

export function parsePrometheusText(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const seen = new Map<string, Sample>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const t = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
      if (t) {
        if (types.has(t[1])) throw new Error(`TYPE of ${t[1]} twice`);
        types.set(t[1], t[2]);
      } else if (!/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* /.test(line)) throw new Error(`bad comment: ${line}`);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
    if (!m) throw new Error(`bad sample: ${line}`);
    const sample: Sample = { name: m[1], labels: m[2] ? parseLabels(m[2], line) : {}, value: parseValue(m[3]) };
    if (!familyOf(sample.name, types)) throw new Error(`sample of an undeclared family: ${line}`);
    const k = key(sample.name, sample.labels);
    if (seen.has(k)) throw new Error(`series twice: ${k}`);
    seen.set(k, sample);
    samples.push(sample);
  }
  return {
    samples,
    types,
    get: (name, labels = {}) => seen.get(key(name, labels))?.value,
    select: (name, where = {}) => samples.filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v)),
  };
}
