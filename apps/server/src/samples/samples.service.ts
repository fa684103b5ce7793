// Sample pipelines and fragments (StreamKit's `/api/v1/samples` semantics, with its gaps closed: saves keep
// comments, a sample is validated (bounded YAML, and a pipeline compiled) before it is written, a bad file on
// disk never breaks a listing (it is listed under its file name or skipped, and reported once), and
// `allowed_samples` applies to every read).
import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  NotFoundException,
  PayloadTooLargeException,
} from '@nestjs/common';
import { parseBoundedYaml, YamlError, type YamlLimits } from '@streamkit/pipeline';
import { OutsideRootError } from '../common/atomic-file';
import { isMap, type Document } from 'yaml';
import {
  MAX_SAMPLE_BYTES,
  SAMPLE_DIRS,
  SampleDir,
  SampleFile,
  SampleOutsideRootError,
  SampleTooLargeError,
  SamplesRepository,
} from './samples.repository';
import type { PipelineMode, SamplePipeline } from './samples.dto';
import type { Caller } from '../permissions';

export interface SaveSampleRequest {
  name: string;
  description: string;
  yaml: string;
  overwrite?: boolean;
  is_fragment?: boolean;
}

/** What the samples service needs to know about the caller (satisfied by the permissions module's Caller). */
/** What the samples rules need of a caller. */
export type SampleCaller = Pick<Caller, 'require' | 'canSeeSample'>;

const FORBIDDEN = 'Access forbidden';
/** Distinct bad files remembered so each is reported once (beyond, they are not reported again). */
const MAX_REPORTED = 1024;

export interface SamplesServiceOptions {
  /** Bounds of every YAML parse of a sample (`[engine.limits]`). */
  yamlLimits?: Partial<YamlLimits>;
  /** Problems of a (non-fragment) pipeline, each naming its node; empty when it compiles. */
  validatePipeline?: (yaml: string) => Promise<string[]>;
  /** Where a sample file that cannot be read or parsed is reported (once per file and reason). */
  report?: (message: string) => void;
}

export class SamplesService {
  private readonly reported = new Set<string>();

  constructor(
    private readonly repo: SamplesRepository,
    private readonly options: SamplesServiceOptions = {},
  ) {}

  /** Removes what interrupted saves left; call once at startup. */
  async sweep(): Promise<void> {
    const removed = await this.repo.sweep();
    if (removed > 0) this.options.report?.(`Removed ${removed} temporary file(s) of interrupted sample saves`);
  }

  async list(caller: SampleCaller, mode: PipelineMode): Promise<SamplePipeline[]> {
    caller.require('list_samples');
    const { files, unreadable } = await this.repo.listAll();
    for (const u of unreadable) this.reportOnce(`Sample '${u.path}' is not listed: ${u.reason}`);
    return files
      .filter((f) => caller.canSeeSample(`${f.dir}/${f.fileName}`))
      .map((f) => {
        const { sample, problem } = describe(f, this.options.yamlLimits);
        if (problem) this.reportOnce(`Sample '${f.dir}/${f.fileName}' is listed by file name: ${problem}`);
        return sample;
      })
      .filter((s) => s.mode === mode);
  }

  private reportOnce(message: string): void {
    if (this.reported.has(message) || this.reported.size >= MAX_REPORTED) return;
    this.reported.add(message);
    this.options.report?.(message);
  }

  async get(caller: SampleCaller, id: string): Promise<SamplePipeline> {
    caller.require('read_samples');
    const { dirs, stem } = parseId(id, 'user', true);
    for (const dir of dirs) {
      for (const ext of ['.yml', '.yaml']) {
        const fileName = stem + ext;
        let text: string | undefined;
        try {
          text = await this.repo.read(dir, fileName);
        } catch (err) {
          if (err instanceof SampleTooLargeError) throw new PayloadTooLargeException(err.message);
          if (err instanceof SampleOutsideRootError) throw new ForbiddenException(err.message);
          throw err;
        }
        if (text === undefined) continue;
        if (!caller.canSeeSample(`${dir}/${fileName}`)) throw new ForbiddenException(FORBIDDEN);
        return describe({ dir, fileName, text }, this.options.yamlLimits).sample;
      }
    }
    throw new NotFoundException('Sample not found');
  }

  async save(caller: SampleCaller, req: SaveSampleRequest): Promise<SamplePipeline> {
    caller.require('write_samples');
    if (Buffer.byteLength(req.yaml, 'utf8') > MAX_SAMPLE_BYTES) {
      throw new PayloadTooLargeException('File exceeds size limit');
    }
    const stem = sanitizeName(req.name) || `pipeline_${Math.floor(Date.now() / 1000)}`;
    const fileName = `${stem}.yml`;
    validateFileName(fileName);
    const isFragment = req.is_fragment ?? false;
    let doc: Document.Parsed;
    try {
      doc = parseBoundedYaml(req.yaml, this.options.yamlLimits).document;
    } catch (err) {
      if (!(err instanceof YamlError)) throw err;
      if (err.limit === 'maxYamlBytes') throw new PayloadTooLargeException(err.message);
      throw new BadRequestException(`Invalid YAML: ${err.message}`);
    }
    if (!isFragment) {
      const problems = (await this.options.validatePipeline?.(req.yaml)) ?? [];
      if (problems.length > 0) throw new BadRequestException(`Invalid pipeline: ${problems.join('; ')}`);
    }
    if (!caller.canSeeSample(`user/${fileName}`)) throw new ForbiddenException(FORBIDDEN);
    if (!req.overwrite && (await this.repo.exists('user', fileName))) {
      throw new ConflictException('Sample already exists');
    }
    let text = req.yaml;
    if (!isFragment && isMap(doc.contents)) {
      // Keep the user's comments and layout: only the two top-level keys change.
      doc.set('name', req.name);
      doc.set('description', req.description);
      text = doc.toString();
    }
    try {
      await this.repo.writeUser(fileName, text);
    } catch (err) {
      if (err instanceof OutsideRootError) throw new ForbiddenException(err.message);
      throw err;
    }
    const written = describe({ dir: 'user', fileName, text }, this.options.yamlLimits).sample;
    return {
      ...written,
      name: req.name,
      description: req.description,
      yaml: req.yaml,
      is_fragment: isFragment,
    };
  }

  async delete(caller: SampleCaller, id: string): Promise<void> {
    caller.require('delete_samples');
    const { dirs, stem } = parseId(id, 'user', false);
    if (dirs.length !== 1 || dirs[0] !== 'user') throw new ForbiddenException(FORBIDDEN);
    for (const ext of ['.yml', '.yaml']) {
      if (await this.repo.deleteUser(stem + ext)) return;
    }
    throw new NotFoundException('Sample not found');
  }
}

/** `dir/stem` (or a bare legacy `stem`) to the folders to search and the validated stem. */
function parseId(id: string, fallback: SampleDir, searchAll: boolean): { dirs: SampleDir[]; stem: string } {
  const slash = id.indexOf('/');
  const prefix = slash >= 0 ? id.slice(0, slash) : undefined;
  const stem = (slash >= 0 ? id.slice(slash + 1) : id).replace(/\.ya?ml$/i, '');
  validateFileName(`${stem}.yml`);
  if (prefix === undefined) return { dirs: searchAll ? [...SAMPLE_DIRS] : [fallback], stem };
  if (!(SAMPLE_DIRS as readonly string[]).includes(prefix)) {
    if (searchAll) throw new NotFoundException('Sample not found');
    throw new ForbiddenException(FORBIDDEN);
  }
  return { dirs: [prefix as SampleDir], stem };
}

function validateFileName(fileName: string): void {
  const fail = (msg: string) => new BadRequestException(`Invalid filename: ${msg}`);
  if (Buffer.byteLength(fileName, 'utf8') > 255) throw fail('Filename too long');
  if (fileName === '.yml' || fileName.trim() === '') throw fail('Filename cannot be empty');
  if (fileName.includes('..') || /[/\\]/.test(fileName) || fileName.includes('\0')) {
    throw fail('Invalid characters in filename');
  }
  if (!/\.ya?ml$/i.test(fileName)) throw fail('File must have .yml or .yaml extension');
}

/** StreamKit's file-name rule: keep letters, digits, `-`, `_`; trim `_`; lower-case. */
export function sanitizeName(name: string): string {
  return name
    .replace(/[^\p{L}\p{N}_-]/gu, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
}

/** `double_volume.yml` -> `Double Volume`. */
export function nameFromFile(fileName: string): string {
  return fileName
    .replace(/\.ya?ml$/i, '')
    .split('_')
    .filter((w) => w.length > 0)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join(' ');
}

/** The listing entry of a file; never throws: a file refused by the YAML bounds is listed under its file name. */
function describe(
  f: SampleFile,
  limits: Partial<YamlLimits> = {},
): { sample: SamplePipeline; problem?: string } {
  const fallback = nameFromFile(f.fileName);
  let name = fallback;
  let description = '';
  let mode: PipelineMode = 'dynamic';
  let value: unknown;
  let problem: string | undefined;
  try {
    value = parseBoundedYaml(f.text, limits).value;
  } catch (err) {
    problem = (err as Error).message;
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    if (typeof v.name === 'string' && v.name.trim() !== '') name = v.name;
    if (typeof v.description === 'string') description = v.description;
    if (v.mode === 'oneshot') mode = 'oneshot';
  }
  const sample: SamplePipeline = {
    id: `${f.dir}/${f.fileName.replace(/\.ya?ml$/i, '')}`,
    name,
    description,
    yaml: f.text,
    is_system: f.dir !== 'user',
    mode,
    is_fragment: name === fallback && description === '',
  };
  return { sample, problem };
}
