/**
 * `kraken preflight <file> --model <m> [--image <file>] [--fast] [--json] [--fix [--out <file>]]` —
 * checks an input against a cloud model's limits before a long upload. Exit 0: it passes; 3: it does
 * not (the problems are printed); 1: the check itself failed. `--fix` writes a new conforming file
 * (never touching the original) and checks it again.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AppError } from '../../common/app-error';
import { CloudModel, type PreflightReport } from '../../common/contract';
import { CLOUD_LIMITS } from '../../node/media/cloud-limits';
import { describeFix } from '../../node/media/fix-plan';
import { runFix } from '../../node/media/fix-runner';
import { preflightFiles } from '../../node/media/preflight';
import { probeFile } from '../../node/media/probe';
import { ToolBox } from '../../node/media/tool-box';
import { progressLine, UsageError, wantsHelp, type CliIo } from '../cli-io';

const USAGE = `usage: kraken preflight <file> --model ${CloudModel.options.join('|')} [--image <file>] [--fast] [--json] [--fix [--out <file>]]`;

const HELP = `${USAGE}

Checks a video (or image) against a cloud model's published limits before a long upload: format, size,
duration, resolution, orientation, and (unless --fast) capture quality from sampled frames.
  --model <m>     the cloud model to check against
  --image <file>  the still image a model needs besides the video
  --fast          skip the capture-quality sampling
  --fix           write a new file that passes (the original is never touched) and check it again;
                  each fix says what it does before it runs
  --out <file>    where --fix writes (default: next to the input, <name>.<model>-fixed.mp4)
  --json          as JSON
exit codes: 0 passes, 3 does not pass, 1 the check itself failed`;

/** Exit code when the check ran and the input does not pass. */
export const EXIT_DOES_NOT_PASS = 3;

export async function runPreflight(argv: string[], io: CliIo): Promise<number> {
  if (wantsHelp(argv)) {
    io.out(HELP);
    return 0;
  }
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      model: { type: 'string' },
      image: { type: 'string' },
      fast: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      fix: { type: 'boolean', default: false },
      out: { type: 'string' },
    },
  });
  const file = positionals[0];
  const model = CloudModel.safeParse(values.model);
  if (!file || positionals.length > 1 || !model.success) throw new UsageError(USAGE);
  if (values.out && !values.fix) throw new UsageError(`--out goes with --fix. ${USAGE}`);
  const tools = await new ToolBox(() => ({ ffmpegPath: null, ffprobePath: null })).require();
  const report = await preflightFiles({ tools, model: model.data, file: path.resolve(file), image: values.image ? path.resolve(values.image) : null, quality: !values.fast, signal: io.signal });

  if (!values.fix) {
    io.out(values.json ? JSON.stringify(report, null, 2) : describe(report));
    return report.ok ? 0 : EXIT_DOES_NOT_PASS;
  }
  if (report.fixes.length === 0) {
    io.out(values.json ? JSON.stringify({ report, fix: null }, null, 2) : `${describe(report)}\nnothing to fix${report.ok ? '' : ': the remaining problems need a new recording or another file'}`);
    return report.ok ? 0 : EXIT_DOES_NOT_PASS;
  }
  const input = path.resolve(file);
  const probe = await probeFile(tools.ffprobe.path, input, { signal: io.signal, sample: false });
  const parsed = path.parse(input);
  const out = path.resolve(values.out ?? path.join(parsed.dir, `${parsed.name}.${model.data}-fixed.${probe.kind === 'image' ? 'jpg' : 'mp4'}`));
  if (out === input) throw new AppError('INVALID_INPUT', 'The fixed file must not replace the original: choose another --out.');
  // Say what each fix does before it runs (re-encoding to reach a minimum size, cropping the sides off…).
  const limits = CLOUD_LIMITS[model.data];
  const what = report.fixes.map((f) => describeFix(f, probe.kind === 'image' ? limits.image : limits.video, probe));
  if (!values.json) for (const w of what) io.out(`will apply ${w}`);
  const fixed = await runFix({
    tools,
    model: model.data,
    probe,
    out,
    signal: io.signal,
    onProgress: (f, stage) => {
      if (io.interactive && !values.json) io.err(progressLine(f, stage));
    },
  });
  if (io.interactive && !values.json) io.err(progressLine(1, 'done\n'));
  if (values.json) io.out(JSON.stringify({ report, what, fix: fixed }, null, 2));
  else io.out(`${describe(report)}\n\napplied ${fixed.fixes.join(', ')} → ${fixed.path}\n${describe(fixed.report)}`);
  return fixed.report.ok ? 0 : EXIT_DOES_NOT_PASS;
}

function describe(r: PreflightReport): string {
  const lines = [`${r.model}: ${r.ok ? 'passes' : 'does not pass'}${r.videoPath ? `  video ${r.videoPath}` : ''}${r.imagePath ? `  image ${r.imagePath}` : ''}`];
  for (const p of r.problems) lines.push(`  ${p.severity === 'error' ? 'x' : '!'} ${p.code}: ${p.message}${p.fixes.length ? ` [fix: ${p.fixes.join(' or ')}]` : ''}`);
  if (r.fixes.length) lines.push(`  one-click: kraken preflight <file> --model ${r.model} --fix  (${r.fixes.join(', ')})`);
  if (r.quality) {
    const q = r.quality;
    lines.push(`  capture quality: ${q.level} (blurry ${(q.blurryShare * 100).toFixed(0)}% of ${q.samples} samples, motion over ${(q.motionCoverage * 100).toFixed(0)}%)`);
    for (const a of q.advice) lines.push(`    - ${a}`);
  }
  return lines.join('\n');
}
