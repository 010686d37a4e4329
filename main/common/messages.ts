/**
 * The one registry of sentences the core sends to a person. The core never sends only English where the UI shows it:
 * each sentence travels as a code with parameters (`messageCode`, `messageParams`) next to its English text
 * (`message`, for the CLI, logs and as the UI's fallback). The renderer translates the code through i18n
 * (`messages:<code>` in renderer/src/i18n/locales/<lang>/messages.json); a test checks that every code here has a
 * text in every language and that the English template renders exactly the sentence below.
 *
 * Parameters are strings or numbers already formatted the way the sentence needs them ("240.0 s", "3.3 MB"):
 * a translation reorders them, it does not re-format them.
 */

export type MessageParams = Record<string, string | number>;

interface Entry<P extends MessageParams> {
  /** The English sentence (what the CLI prints). */
  en: (p: P) => string;
  /** Parameters for the test that renders each language's template. */
  example: P;
}

const m = <P extends MessageParams>(example: P, en: (p: P) => string): Entry<P> => ({ en, example });

export const MESSAGES = {
  // ---- pre-flight problems (main/node/media/preflight.ts) ----
  'preflight.not_a_video_image': m({ label: 'MusePose' }, (p) => `${p.label} needs a video; this is a still image.`),
  'preflight.not_a_video_missing': m({ label: 'MusePose' }, (p) => `${p.label} needs a video.`),
  'preflight.wrong_container': m({ label: 'MusePose', ext: 'mov', container: 'mov' }, (p) => `${p.label} accepts only .mp4 files; this is .${p.ext} (${p.container}). Convert it to MP4.`),
  'preflight.wrong_codec': m({ codec: 'HEVC' }, (p) => `The video is ${p.codec}; H.264 is the codec the cloud is sure to read. Convert it to be safe.`),
  'preflight.damaged': m(
    { label: 'Gaussian splatting', index: '10.0 s', readable: '4.2 s' },
    (p) => `The file is cut short: its index promises ${p.index} but the picture stops at ${p.readable}, so ${p.label} would get a broken upload. Trim it to the readable part (a new file), or copy the whole file from the camera again.`,
  ),
  'preflight.too_short': m({ label: 'MusePose', actual: '4.9 s', min: 5 }, (p) => `The video is ${p.actual} long; ${p.label} needs at least ${p.min} s. Record a longer take.`),
  'preflight.too_long_max': m({ label: 'MusePose', actual: '240.0 s', max: 180 }, (p) => `The video is ${p.actual} long; ${p.label} takes at most ${p.max} s. Trim it.`),
  'preflight.too_long_below': m({ label: 'Decal', actual: '60.0 s', below: 60 }, (p) => `The video is ${p.actual} long; ${p.label} needs less than ${p.below} s. Trim it.`),
  'preflight.resolution_too_low': m({ label: 'NeRF2Mesh', size: '640x360', need: 'at least 720p' }, (p) => `The picture is ${p.size}; ${p.label} needs ${p.need}. Record at 720p or more (upscaling cannot add detail).`),
  'preflight.resolution_too_low_min': m({ label: 'NeRF2Mesh', size: '640x360', min: 720 }, (p) => `The picture is ${p.size}; ${p.label} needs at least ${p.min}p. Record at 720p or more (upscaling cannot add detail).`),
  'preflight.resolution_too_high': m({ label: 'MusePose', size: '3840x2160', takes: '1920x1080 or lower' }, (p) => `The picture is ${p.size}; ${p.label} takes ${p.takes}. Downscale it.`),
  'preflight.resolution_too_high_fhd': m({ label: 'MusePose', size: '3840x2160' }, (p) => `The picture is ${p.size}; ${p.label} takes Full HD or lower. Downscale it.`),
  'preflight.not_vertical_video': m(
    { label: 'MusePose', size: '1280x720' },
    (p) => `The video is ${p.size} (landscape or square); ${p.label} needs a vertical (portrait) video. Crop it to portrait (the centre 9:16 is kept, the sides are cut off), or record it upright.`,
  ),
  'preflight.file_too_small': m(
    { label: 'NeRF2Mesh', actual: '3.3 MB', min: '50 MiB (52.4 MB)' },
    (p) => `The file is ${p.actual}; ${p.label} refuses files under ${p.min}. The fix re-encodes it at a higher bit rate so that it reaches that size: the picture does not get better, only the file bigger.`,
  ),
  'preflight.file_too_large_max': m({ label: 'MusePose', actual: '120.0 MB', max: '100.0 MB' }, (p) => `The file is ${p.actual}; ${p.label} takes at most ${p.max}. Re-encode it smaller.`),
  'preflight.file_too_large_below': m({ label: 'MusePose', actual: '120.0 MB', max: '100.0 MB' }, (p) => `The file is ${p.actual}; ${p.label} takes less than ${p.max}. Re-encode it smaller.`),
  'preflight.not_an_image': m({ label: 'InstantMesh' }, (p) => `${p.label} needs a still image (PNG or JPEG); this is a video.`),
  'preflight.wrong_image_format': m({ label: 'InstantMesh', format: '.webp', codec: 'webp' }, (p) => `${p.label} accepts PNG or JPEG images; this is ${p.format} (${p.codec}). Convert it to JPEG.`),
  'preflight.wrong_image_format_other': m({ label: 'InstantMesh', codec: 'gif' }, (p) => `${p.label} accepts PNG or JPEG images; this is another format (${p.codec}). Convert it to JPEG.`),
  'preflight.image_too_small': m({ label: 'InstantMesh', size: '200x200', min: '256x256' }, (p) => `The image is ${p.size}; ${p.label} needs at least ${p.min}. Use a larger photo.`),
  'preflight.not_vertical_image': m(
    { label: 'MusePose', size: '800x600' },
    (p) => `The image is ${p.size}; ${p.label} needs a vertical (portrait) image. Crop it to portrait (the centre 9:16 is kept), or use another photo.`,
  ),
  'preflight.image_too_large_max': m({ label: 'InstantMesh', actual: '12.0 MB', max: '10.0 MB' }, (p) => `The image is ${p.actual}; ${p.label} takes at most ${p.max}. Convert it to a smaller JPEG.`),
  'preflight.image_too_large_below': m({ label: 'InstantMesh', actual: '12.0 MB', max: '10.0 MB' }, (p) => `The image is ${p.actual}; ${p.label} takes less than ${p.max}. Convert it to a smaller JPEG.`),
  'preflight.image_required': m(
    { label: 'MusePose' },
    (p) => `${p.label} also needs a still image (PNG or JPEG): import one into the project and choose it for the check.`,
  ),
  'preflight.image_required_vertical': m(
    { label: 'MusePose' },
    (p) => `${p.label} also needs a still image (PNG or JPEG, vertical): import one into the project and choose it for the check.`,
  ),

  // ---- capture quality advice (main/node/media/capture-quality.ts) ----
  'quality.blurry': m(
    { percent: 30 },
    (p) => `About ${p.percent}% of the sampled frames look blurry: move the camera more slowly, add light, or use a faster shutter. Extracting with drop-blurry keeps the sharpest frames.`,
  ),
  'quality.still': m({ percent: 70 }, (p) => `The picture barely changes over ${p.percent}% of the video: walk slowly all the way around the subject so it is seen from many sides.`),
  'quality.good': m({}, () => 'Sharp frames and a moving viewpoint: this capture should reconstruct well.'),

  // ---- execution providers and TF.js backends (main/node/inference/providers.ts, tfjs-runtime.ts) ----
  'provider.force_cpu': m({}, () => 'Force CPU is on (Models → Devices).'),
  'provider.cuda_no_build_windows': m({}, () => 'onnxruntime-node has no CUDA build for Windows; DirectML drives NVIDIA GPUs there.'),
  'provider.cuda_no_build': m({ platform: 'darwin-arm64' }, (p) => `onnxruntime-node has no CUDA build for ${p.platform}.`),
  'provider.no_nvidia': m({}, () => 'No NVIDIA GPU was found.'),
  'provider.cuda_files_missing': m(
    {},
    () => 'The CUDA provider files are not installed: onnxruntime-node ships them as a separate download. Use “Install GPU support” (needs internet, about 300 MB).',
  ),
  'provider.no_dml_build': m({}, () => 'This onnxruntime-node build has no DirectML provider.'),
  'provider.dml_windows_only': m({}, () => 'DirectML exists on Windows only.'),
  'provider.no_coreml_build': m({}, () => 'This onnxruntime-node build has no CoreML provider.'),
  'provider.coreml_apple_silicon_only': m({}, () => 'CoreML is used on Apple Silicon only.'),
  'provider.coreml_macos_only': m({}, () => 'CoreML exists on macOS only.'),
  'provider.failed': m({ error: 'CUDA failure 100: no CUDA-capable device is detected' }, (p) => `${p.error}`),
  'provider.cuda_offer': m({}, () => 'Your NVIDIA GPU can run models once the CUDA provider files are installed (about 300 MB from NuGet, needs internet and CUDA 12 + cuDNN 9).'),
  'provider.nothing_tried': m({}, () => 'no execution provider could be tried'),
  'provider.model_not_loaded': m({ reason: 'protobuf parsing failed' }, (p) => `The model could not be loaded: ${p.reason}`),
  'tfjs.wasm_missing': m({}, () => 'The .wasm files of @tensorflow/tfjs-backend-wasm are missing.'),
  'tfjs.node_gpu_not_installed': m({}, () => 'tfjs-node-gpu is not installed (it is optional).'),
  'tfjs.binding_missing': m({}, () => 'Its native binding (libtensorflow) is missing: it is downloaded from Google when the package is installed, which did not happen.'),
  'tfjs.binding_not_loaded': m({}, () => 'Its native binding did not load: it is downloaded from Google when the package is installed, and that did not happen on this computer.'),
  'tfjs.backend_not_initialised': m({ backend: 'wasm' }, (p) => `The ${p.backend} backend did not initialise.`),

  // ---- model descriptions (builtin-models.ts, catalogue.ts): each model's id after `model.` ----
  'model.human-movenet-lightning': m({}, () => 'Single-person pose, 17 COCO keypoints, 192×192. Fast; best on one person filling much of the frame.'),
  'model.human-centernet': m({}, () => '80 COCO object classes, 512×512 input.'),
  'model.paddleocr-v4-det': m({}, () => 'Reads printed text: finds each line of text (detection), then reads it (recognition). Lines it is not sure of are left out.'),
  'model.paddleocr-v4-rec': m({}, () => 'The reading step of PaddleOCR v4 (read text): one cropped line of text at a time (Chinese, Latin letters, digits).'),
  'model.midas-v21-small': m({}, () => 'Monocular relative depth, 256×256. Gives a depth map and a coloured point cloud for the 3D page.'),
  'model.u2netp': m({}, () => 'Salient-object mask, 320×320: a cut-out PNG with transparent background (the input InstantMesh wants).'),
  'model.shufflenet-v2': m({}, () => '1000 ImageNet classes, 224×224, 9 MB. Class names are not included (shown as class numbers).'),

  // ---- errors (main/common/app-error.ts, main/node/media/probe.ts) ----
  'error.disk_full': m({}, () => 'The disk is full. Free some space and try again.'),
  'error.read_only': m({ path: '/data/kraken' }, (p) => `Cannot write to ${p.path}: it is read-only or access is denied. Choose another folder.`),
  'error.read_only_folder': m({}, () => 'Cannot write to the folder: it is read-only or access is denied. Choose another folder.'),
  'error.file_system': m({ errno: 'EMFILE', path: 'a file' }, (p) => `File system error ${p.errno} on ${p.path}.`),
  'error.file_not_found': m({ path: '/tmp/x.mp4' }, (p) => `File not found: ${p.path}`),
  'error.not_a_file': m({ path: '/tmp' }, (p) => `Not a file: ${p.path}`),
  'media.audio_only': m({}, () => 'This file has sound but no picture (audio only). Choose a video or an image.'),
  'media.no_stream': m({}, () => 'No video or image stream found in this file.'),
  'media.empty_file': m({}, () => 'The file is empty (0 bytes).'),
  'media.heic_unsupported': m(
    {},
    () => 'This HEIC/HEIF photo cannot be decoded by the ffmpeg in use (HEIC needs ffmpeg 7.1 or newer). Export it as JPEG or PNG, or point Settings at a newer ffmpeg.',
  ),
  'media.unreadable': m({}, () => 'ffmpeg cannot read this file: it is damaged, truncated or not a video or image.'),
  'media.probe_output': m({}, () => 'ffprobe returned output that could not be read.'),
  'media.ffprobe_missing': m({ path: '/usr/bin/ffprobe' }, (p) => `ffprobe not found at ${p.path}`),
  'error.cancelled': m({}, () => 'Cancelled'),
  'media.sample_missing': m({}, () => 'The sample video is missing. Run `node scripts/make-sample.mjs` to generate it.'),
  'media.duplicate': m({ name: 'clip.mp4' }, (p) => `Already in this project as “${p.name}” (same content).`),

  // ---- extraction, frame sets and fixes (main/node/media/extractor.ts, extract-pipeline.ts, frame-service.ts, fix-runner.ts) ----
  'extract.truncated': m({ frames: '120 of 300' }, (p) => `The video is truncated or damaged: ffmpeg could read only part of it (${p.frames} frames). Nothing was kept.`),
  'extract.truncated_at': m(
    { frames: '120 of 300', stop: '4.0', end: '10.0' },
    (p) => `The video is truncated or damaged: ffmpeg could read only part of it (${p.frames} frames). The picture stops at ${p.stop} s of ${p.end} s. Nothing was kept.`,
  ),
  'extract.disk_full': m({}, () => 'The disk is full. Free some space and resume.'),
  'extract.read_only': m({ path: '/data/frames/3' }, (p) => `Cannot write to ${p.path}: it is read-only or access is denied.`),
  'extract.read_only_folder': m({}, () => 'Cannot write to the output folder: it is read-only or access is denied.'),
  'extract.folder_gone': m({ path: '/data/frames/3' }, (p) => `The output folder ${p.path} is gone or cannot be created.`),
  'extract.undecodable': m({}, () => 'ffmpeg could not decode this video: it may be damaged or truncated.'),
  'extract.range_frames': m({ count: 12 }, (p) => `This range holds only ${p.count} frames; ask for at most ${p.count}.`),
  'extract.no_frames_kind': m({}, () => 'ffmpeg wrote no frames: the video may be damaged, or the range holds no frame of this kind.'),
  'extract.no_frames': m({}, () => 'ffmpeg wrote no frames: the video may be damaged or the range is empty.'),
  'frames.export_unfinished': m({}, () => 'Only a finished frame set can be exported'),
  'frames.unfinished': m({}, () => 'The frame set is not finished yet'),
  'frames.delete_unfinished': m({}, () => 'Frames can be deleted only from a finished frame set'),
  'frames.exporting': m({}, () => 'This frame set is being exported; wait for the export to finish or cancel it first'),
  'frames.source_gone': m({ path: '/videos/clip.mp4' }, (p) => `The source video is gone: ${p.path}`),
  'fix.overwrite': m({}, () => 'A fix never overwrites the original: choose another output file.'),
  'fix.nothing': m({}, () => 'Nothing to fix: pre-flight found no problem a fix can solve.'),
  'fix.damaged': m({}, () => 'The original is truncated or damaged, so the fixed file would be incomplete. Nothing was written.'),

  // ---- cloud services (main/node/cloud/errors.ts): `service` is the service's key, `label` its English name; the
  // renderer puts the label in the language shown (`cloud.service.<service>`), `server` is the platform's own words ----
  'cloud.service.atlas': m({}, () => 'Atlas service'),
  'cloud.service.vision': m({}, () => 'vision training platform'),
  'cloud.service.solana': m({}, () => 'Solana backend'),
  'cloud.service.compute': m({}, () => 'compute service'),
  'cloud.service.network': m({}, () => 'contributor network'),
  'cloud.busy': m({ service: 'atlas', label: 'Atlas service' }, (p) => `The ${p.label} is busy and asked the studio to slow down; try again in a moment.`),
  'cloud.busy_said': m(
    { service: 'atlas', label: 'Atlas service', server: 'Too many requests.' },
    (p) => `The ${p.label} is busy and asked the studio to slow down; try again in a moment. (${p.server})`,
  ),
  'cloud.busy_seconds': m({ service: 'atlas', label: 'Atlas service', seconds: 30 }, (p) => `The ${p.label} is busy and asked the studio to slow down; try again in ${p.seconds} s.`),
  'cloud.busy_seconds_said': m(
    { service: 'atlas', label: 'Atlas service', seconds: 30, server: 'Too many requests.' },
    (p) => `The ${p.label} is busy and asked the studio to slow down; try again in ${p.seconds} s. (${p.server})`,
  ),
  'cloud.busy_minutes': m({ service: 'atlas', label: 'Atlas service', minutes: 3 }, (p) => `The ${p.label} is busy and asked the studio to slow down; try again in ${p.minutes} minutes.`),
  'cloud.busy_minutes_said': m(
    { service: 'atlas', label: 'Atlas service', minutes: 3, server: 'Too many requests.' },
    (p) => `The ${p.label} is busy and asked the studio to slow down; try again in ${p.minutes} minutes. (${p.server})`,
  ),
  'cloud.http_5xx': m({ service: 'atlas', label: 'Atlas service', status: 502 }, (p) => `The ${p.label} had a problem (HTTP ${p.status}). Try again later.`),
  'cloud.http_5xx_said': m(
    { service: 'solana', label: 'Solana backend', status: 500, server: 'Failed to register model' },
    (p) => `The ${p.label} had a problem (HTTP ${p.status}): ${p.server}. Try again later.`,
  ),
  'cloud.http_invalid': m({ service: 'atlas', label: 'Atlas service', status: 400 }, (p) => `The ${p.label} refused the request as not valid (HTTP ${p.status}).`),
  'cloud.http_401': m({ service: 'atlas', label: 'Atlas service' }, (p) => `The ${p.label} did not accept the sign-in. Sign in again.`),
  'cloud.http_403': m({ service: 'atlas', label: 'Atlas service' }, (p) => `The ${p.label} does not allow this (HTTP 403).`),
  'cloud.http_404': m({ service: 'atlas', label: 'Atlas service' }, (p) => `The ${p.label} could not find it (HTTP 404).`),
  'cloud.http_409': m({ service: 'atlas', label: 'Atlas service' }, (p) => `The ${p.label} refused it because it conflicts with something that exists (HTTP 409).`),
  'cloud.http_413': m({ service: 'vision', label: 'vision training platform' }, (p) => `The ${p.label} refused the upload as too large (HTTP 413).`),
  'cloud.http_refused': m({ service: 'compute', label: 'compute service', status: 418 }, (p) => `The ${p.label} refused the request (HTTP ${p.status}).`),
  'cloud.said': m({ service: 'atlas', label: 'Atlas service', server: 'The email is duplicated.' }, (p) => `The ${p.label} said: ${p.server}`),
  'cloud.bad_reply': m({ service: 'atlas', label: 'Atlas service' }, (p) => `The ${p.label} sent a reply the studio does not understand.`),
  'cloud.timeout_seconds': m({ service: 'atlas', label: 'Atlas service', seconds: 30 }, (p) => `The ${p.label} did not answer within ${p.seconds} s. Check the connection and try again.`),
  'cloud.timeout_minutes': m({ service: 'atlas', label: 'Atlas service', minutes: 3 }, (p) => `The ${p.label} did not answer within ${p.minutes} minutes. Check the connection and try again.`),
  'cloud.dropped': m({ service: 'atlas', label: 'Atlas service' }, (p) => `The connection to the ${p.label} dropped before the reply was complete. Try again.`),
  'cloud.interrupted': m(
    { service: 'vision', label: 'vision training platform' },
    (p) => `The upload to the ${p.label} was interrupted (the connection dropped). Start it again; uploads restart from the beginning.`,
  ),
  'cloud.unreachable': m({ service: 'atlas', label: 'Atlas service' }, (p) => `The ${p.label} cannot be reached. Check the connection and the service address in Settings.`),
  'cloud.unreachable_at': m(
    { service: 'atlas', label: 'Atlas service', origin: 'http://127.0.0.1:3000' },
    (p) => `The ${p.label} cannot be reached at ${p.origin}. Check the connection and the service address in Settings.`,
  ),
  'cloud.cancelled': m({}, () => 'Cancelled.'),

  // ---- Atlas (main/node/cloud/atlas/atlas-service.ts, session.ts) ----
  'atlas.no_job': m({ id: '3f2a' }, (p) => `No cloud job ${p.id}`),
  'atlas.media_other_project': m({}, () => 'The media belongs to another project'),
  'atlas.image_other_project': m({}, () => 'The image belongs to another project'),
  'atlas.musepose_needs_image': m({}, () => 'MusePose needs a still image as well as the video (imageMediaId).'),
  'atlas.one_input': m({ model: 'instantmesh' }, (p) => `${p.model} takes one input; imageMediaId is only for musepose.`),
  'atlas.preflight_refused': m({ problems: 'The video is 4.9 s long; MusePose needs at least 5 s. Record a longer take.' }, (p) => `The cloud would refuse this input: ${p.problems}`),
  'atlas.preflight_refused_fix': m(
    { problems: 'The video is 240.0 s long; MusePose takes at most 180 s. Trim it.' },
    (p) => `The cloud would refuse this input: ${p.problems} A one-click fix is offered.`,
  ),
  'atlas.retry_done': m({}, () => 'The job is done; there is nothing to retry'),
  'atlas.unreachable_yet': m({}, () => 'Atlas cannot be reached yet.'),
  'atlas.failed_ng': m({}, () => 'Atlas could not generate the model (status NG). Check the input and submit it again.'),
  'atlas.item_gone': m({ id: 'req_123' }, (p) => `Atlas has no item ${p.id} any more (it may have been deleted).`),
  'atlas.no_result': m({}, () => 'Atlas finished the job but offered no result file.'),
  'atlas.no_item_yours': m({ id: 'req_123' }, (p) => `Atlas has no item ${p.id} of yours.`),
  'atlas.no_item': m({ id: 'req_123' }, (p) => `Atlas has no item ${p.id}.`),
  'atlas.not_yours': m({}, () => 'This item is not yours, so it cannot be deleted.'),
  'atlas.no_file': m({ type: 'output', id: 'req_123' }, (p) => `Atlas has no ${p.type} file for item ${p.id}.`),
  'atlas.weak_password': m({ missing: 'an upper-case letter, a digit', rule: 'at least 10 characters with …' }, (p) => `The password needs ${p.missing} (${p.rule}).`),
  'atlas.weak_new_password': m({ missing: 'an upper-case letter, a digit', rule: 'at least 10 characters with …' }, (p) => `The new password needs ${p.missing} (${p.rule}).`),
  'atlas.email_taken': m({}, () => 'An account with this e-mail address already exists. Sign in, or reset the password.'),
  'atlas.wrong_credentials': m({}, () => 'Wrong e-mail address or password.'),
  'atlas.email_not_confirmed': m({}, () => 'This e-mail address is not confirmed yet. Open the link in the confirmation e-mail, or send it again.'),
  'atlas.google_account': m({}, () => 'This account was created with Google sign-in; it has no Atlas password. Sign in with Google instead.'),
  'atlas.no_account': m({}, () => 'There is no Atlas account with this e-mail address. Check it, or sign up.'),
  'atlas.confirm_delete': m({ email: 'me@example.com' }, (p) => `To delete the account, type its e-mail address (${p.email}) exactly.`),
  'atlas.session_expired': m({}, () => 'Your Atlas session has ended. Sign in again to continue; your jobs and files are kept.'),
  'atlas.not_signed_in': m({}, () => 'Sign in to the Kraken cloud (Atlas) first.'),
  'atlas.no_address': m({}, () => 'No Atlas address is set. Set it on the Cloud page (or KRAKEN_ATLAS_URL), or start the local emulator with `npm run cloud`.'),

  // ---- compute service (main/node/cloud/compute/) ----
  'compute.bad_user_id': m({ problems: 'it holds a character other than letters, digits, . _ -' }, (p) => `The user id cannot be used: ${p.problems}.`),
  'compute.refused_call': m({ path: '/createContainer', statusCode: '7' as string | number }, (p) => `The compute service refused ${p.path} (statusCode ${p.statusCode}).`),
  'compute.invalid_request': m({ issues: 'storageGb Too small' }, (p) => `Not a valid compute request: ${p.issues}`),
  'compute.no_user_id': m({}, () => 'No compute user id: register one on the GPU sessions page (or pass --user).'),
  'compute.not_listed_status': m(
    { id: 'c-1', user: 'team1', status: 'FAILED' },
    (p) => `Container ${p.id} is not among the containers of ${p.user} (the compute service says it is ${p.status}).`,
  ),
  'compute.not_listed_status_said': m(
    { id: 'c-1', user: 'team1', status: 'FAILED', server: 'no GPU left' },
    (p) => `Container ${p.id} is not among the containers of ${p.user} (the compute service says it is ${p.status}: ${p.server}).`,
  ),
  'compute.no_longer_listed': m({ id: 'c-1' }, (p) => `The compute service no longer lists container ${p.id}.`),
  'compute.nothing_to_change': m({}, () => 'Say what to change: the image, the storage path or the node.'),
  'compute.not_listed': m({ id: 'c-1' }, (p) => `The compute service does not list container ${p.id}.`),
  'compute.nothing_to_stop': m({ id: 'c-1', user: 'team1' }, (p) => `Container ${p.id} is not among the containers of ${p.user}; nothing to stop.`),
  'compute.confirm_unregister': m({ user: 'team1' }, (p) => `To remove the containers and storage of "${p.user}", repeat the user id to confirm.`),
  'compute.unknown_container': m({ id: 'c-1' }, (p) => `The studio does not know container ${p.id}.`),
  'compute.no_address': m({}, () => 'No compute service address is set. Set it on the GPU sessions page (or KRAKEN_COMPUTE_URL), or pass --api.'),

  // ---- vision training platform (main/node/cloud/vision/) ----
  'cloud.refused_values': m({ service: 'vision', label: 'vision training platform', list: 'epochs: must be at most 300' }, (p) => `The ${p.label} refused the values: ${p.list}.`),
  // Notes the renderer adds after a cloud sentence whose parameters carry `noteReason` / `noteRequestId` (say.ts).
  'cloud.note_reason': m({ sentence: 'The vision training platform did not accept the sign-in', noteReason: 'The token was not issued by this server.' }, (p) => `${p.sentence} (${p.noteReason}).`),
  'cloud.note_request_id': m(
    { sentence: 'The vision training platform could not find it (HTTP 404).', noteRequestId: 'req_8f2c' },
    (p) => `${p.sentence} (request id ${p.noteRequestId} — quote it to the platform's support)`,
  ),
  'vision.wait_until': m(
    { service: 'vision', label: 'vision training platform', until: '2026-12-02T10:05:00.000Z' },
    (p) => `The ${p.label} asked the studio to wait until ${p.until} (its rate limit); try again then.`,
  ),
  'vision.wrong_credentials': m({}, () => 'Wrong e-mail address or password for the vision training platform.'),
  'vision.session_expired': m({}, () => 'Your vision platform session has ended. Sign in again; your workflows and datasets are kept.'),
  'vision.not_signed_in': m({}, () => 'Sign in to the vision training platform first (kraken train login, or the Training page).'),
  'vision.not_an_image': m({ name: 'notes.txt' }, (p) => `${p.name} is not an image the platform takes (JPEG, PNG, WebP, BMP, GIF).`),
  'vision.empty_file': m({ name: 'cats.zip' }, (p) => `${p.name} is empty.`),
  'vision.no_address': m({}, () => 'No vision training platform address is set: set KRAKEN_VISION_URL (the base including /api/v1), pass --api, or save it on the Training page.'),
  'vision.no_dataset_file': m({ path: '/data/cats.zip' }, (p) => `No dataset file at ${p.path}.`),
  'vision.dataset_not_a_file': m({ path: '/data/cats' }, (p) => `${p.path} is not a file (pack the folder first: kraken dataset pack).`),
  'vision.dataset_needs_name': m({}, () => 'A dataset needs a name.'),
  'vision.dataset_needs_format': m({}, () => 'A dataset needs a format (e.g. coco, imagefolder).'),
  'vision.gpu_hours_used': m({ used: 10, limit: 10 }, (p) => `The plan's GPU hours are used up (${p.used} of ${p.limit} h).`),
  'vision.concurrent_limit': m(
    { plan: 'free ', concurrent: 1, workflows: 'workflow', active: 1, verb: 'is' },
    (p) => `The ${p.plan}plan runs at most ${p.concurrent} ${p.workflows} at a time; ${p.active} ${p.verb} pending or training. Wait for one to finish or cancel one.`,
  ),
  'vision.not_finished': m({ id: 'wf_1', state: 'training' }, (p) => `Workflow ${p.id} is ${p.state}; a model can be brought home once its training has completed.`),
  'vision.export_not_offered': m(
    { id: 'wf_1' },
    (p) => `The vision training platform offers no download of trained models (GET /workflows/${p.id}/export answered 404). Use cloud inference instead (kraken train predict, or "Classify in the cloud" on the Training page).`,
  ),
  'vision.export_invalid': m({ id: 'wf_1', reason: 'the file is not an ONNX model' }, (p) => `The file the platform exported for ${p.id} is not a model the studio can run: ${p.reason}`),
  'vision.no_library': m({}, () => 'The model library is not available here.'),
  'vision.no_jobs': m({}, () => 'Jobs are not available here.'),
  'vision.no_image': m({ id: 12 }, (p) => `No image ${p.id}.`),
  'vision.no_runner': m({}, () => 'Batch inference needs the studio’s job runner.'),
  'vision.nothing_to_classify': m({}, () => 'There are no images to classify in that selection.'),

  // ---- model downloads (main/node/inference/downloader.ts) ----
  'download.cancelled': m({}, () => `Download cancelled; it resumes where it stopped next time.`),
  'download.wrong_size': m({ size: '1024', expected: '2048' }, (p) => `The download is ${p.size} bytes but should be ${p.expected}; it was deleted. Try again.`),
  'download.bad_hash': m({}, () => `The downloaded file does not match its published SHA-256 (corrupted, or changed on the server); it was deleted and not used.`),
  'download.http': m({ status: 404, statusText: 'Not Found', url: 'https://example.org/m.onnx' }, (p) => `The server answered ${p.status} ${p.statusText} for ${p.url}.`),
  'download.size_changed': m({ offered: '1024', expected: '2048' }, (p) => `The server offers ${p.offered} bytes but the catalogue says ${p.expected}: the file has changed; not downloading it.`),
  'download.unreachable_resolve_kept': m({ host: '127.0.0.1:8080', have: '1024', total: '2048' }, (p) => `Could not reach ${p.host}: its name does not resolve (is this computer offline?). Check the internet connection; ${p.have} of ${p.total} bytes are kept and the download resumes from there.`),
  'download.unreachable_resolve_nothing': m({ host: '127.0.0.1:8080' }, (p) => `Could not reach ${p.host}: its name does not resolve (is this computer offline?). Check the internet connection; nothing was kept.`),
  'download.unreachable_refused_kept': m({ host: '127.0.0.1:8080', have: '1024', total: '2048' }, (p) => `Could not reach ${p.host}: the connection was refused. Check the internet connection; ${p.have} of ${p.total} bytes are kept and the download resumes from there.`),
  'download.unreachable_refused_nothing': m({ host: '127.0.0.1:8080' }, (p) => `Could not reach ${p.host}: the connection was refused. Check the internet connection; nothing was kept.`),
  'download.unreachable_route_kept': m({ host: '127.0.0.1:8080', have: '1024', total: '2048' }, (p) => `Could not reach ${p.host}: there is no route to it (is this computer offline?). Check the internet connection; ${p.have} of ${p.total} bytes are kept and the download resumes from there.`),
  'download.unreachable_route_nothing': m({ host: '127.0.0.1:8080' }, (p) => `Could not reach ${p.host}: there is no route to it (is this computer offline?). Check the internet connection; nothing was kept.`),
  'download.unreachable_timeout_kept': m({ host: '127.0.0.1:8080', wait: '15 s', have: '1024', total: '2048' }, (p) => `Could not reach ${p.host}: no answer within ${p.wait}. Check the internet connection; ${p.have} of ${p.total} bytes are kept and the download resumes from there.`),
  'download.unreachable_timeout_nothing': m({ host: '127.0.0.1:8080', wait: '15 s' }, (p) => `Could not reach ${p.host}: no answer within ${p.wait}. Check the internet connection; nothing was kept.`),
  'download.failed_kept': m({ host: '127.0.0.1:8080', why: 'ECONNRESET', have: '1024', total: '2048' }, (p) => `Could not download from ${p.host} (${p.why}). Check the internet connection; ${p.have} of ${p.total} bytes are kept and the download resumes from there.`),
  'download.failed_nothing': m({ host: '127.0.0.1:8080', why: 'ECONNRESET' }, (p) => `Could not download from ${p.host} (${p.why}). Check the internet connection; nothing was kept.`),

  // ---- model library and runs (main/node/inference/model-library.ts, inference-service.ts) ----
  'library.files_missing': m({ id: 'u2netp', dir: '/data/models/u2netp' }, (p) => `The files of model ${p.id} are missing from ${p.dir}; remove it and import it again.`),
  'library.no_model': m({ id: 'u2netp' }, (p) => `No model "${p.id}" in the library.`),
  'library.bundled': m({}, () => 'Bundled models ship with the app and cannot be removed.'),
  'library.no_catalogue_model': m({ id: 'yolo-x' }, (p) => `No catalogue model "${p.id}".`),
  'library.bad_id': m({ id: '"../x"' }, (p) => `The model id ${p.id} is not a plain folder name.`),
  'library.nothing_at': m({ path: '/tmp/model.onnx' }, (p) => `Nothing to import at ${p.path}.`),
  'library.not_a_model': m({ name: 'notes.txt' }, (p) => `${p.name} is neither an .onnx file nor a TF.js model folder (model.json + weight files).`),
  'library.empty': m({ name: 'model.onnx' }, (p) => `${p.name} is empty.`),
  'library.wrong_decoder': m({ task: 'detection', kind: 'softmax', kinds: 'yolov8 or rows' }, (p) => `A ${p.task} model cannot use the ${p.kind} decoder (use ${p.kinds}).`),
  'library.unsafe_name': m({}, () => 'A model name cannot contain NUL or bidirectional control characters.'),
  'library.ocr_needs_labels': m({}, () => 'A text-recognition model needs its character dictionary as labels (one character per label).'),
  'library.invalid_onnx': m({ name: 'model.onnx', reason: 'protobuf parsing failed' }, (p) => `${p.name} is not a valid ONNX model: ${p.reason}`),
  'library.tfjs_signature': m(
    { inputs: 2, outputs: 1 },
    (p) => `The TF.js model has ${p.inputs} inputs and ${p.outputs} outputs in its signature; the studio needs one image input and at least one output.`,
  ),
  'library.channels': m({ input: 'images', shape: '1, 1, 224, 224', layout: '[N, 3, H, W]' }, (p) => `The model's input ${p.input} has shape [${p.shape}]; the studio feeds 3-channel images as ${p.layout}.`),
  'library.detection_shape': m(
    { shape: '1, 3' },
    (p) => `Cannot tell how to decode a detection output of shape [${p.shape}]; the studio reads YOLOv8 heads [N, 4+C, A] and [N, K, 6] rows (x1, y1, x2, y2, score, class).`,
  ),
  'inference.step_of': m({ name: 'PaddleOCR v4 rec', partOf: 'paddleocr-v4-det' }, (p) => `${p.name} is a step of ${p.partOf}, not a model to run on its own: run ${p.partOf} (it finds the text, then reads it).`),
  'inference.cuda_linux_only': m({ platform: 'darwin-arm64' }, (p) => `onnxruntime-node offers the CUDA provider download for Linux x64 only (this is ${p.platform}).`),
  'inference.cuda_no_gpu': m({}, () => 'No NVIDIA GPU was found, so the CUDA provider would never be used; nothing was downloaded.'),
  'inference.cuda_start_failed': m({ error: 'spawn npm ENOENT' }, (p) => `Could not start the CUDA provider download: ${p.error}`),
  'inference.cuda_fetch_failed_cpu': m(
    { detail: 'exit code 1' },
    (p) => `Could not fetch the CUDA provider files (${p.detail}). This needs internet access to api.nuget.org; the studio keeps using the CPU.`,
  ),
  'inference.cuda_fetch_failed_current': m(
    { detail: 'exit code 1' },
    (p) => `Could not fetch the CUDA provider files (${p.detail}). This needs internet access to api.nuget.org; the studio keeps using its current provider.`,
  ),
  'inference.cuda_files_absent': m({ dir: '/app/node_modules/onnxruntime-node/bin' }, (p) => `The download finished but the CUDA provider files are not in ${p.dir}.`),
  'inference.no_project': m({ id: 3 }, (p) => `No project ${p.id}`),
  'inference.no_frame_set': m({ frameSet: 4, project: 3 }, (p) => `No frame set ${p.frameSet} in project ${p.project}`),
  'inference.no_images': m({}, () => 'There are no images to run the model on: extract frames or import images first.'),
  'inference.worker_crashed': m({ error: 'out of memory' }, (p) => `The inference worker crashed: ${p.error}`),
  'inference.worker_stopped': m({ code: '1' }, (p) => `The inference worker stopped (exit code ${p.code}).`),

  // ---- datasets (main/node/datasets/) ----
  'dataset.no_project': m({ id: 3 }, (p) => `Project ${p.id} does not exist`),
  'dataset.no_sources': m({}, () => 'Choose at least one frame set or image for the dataset.'),
  'dataset.check_first': m({}, () => 'Run the health check before packaging the dataset.'),
  'dataset.check_errors_upload': m({ count: 2 }, (p) => `The health check found ${p.count} error(s); fix them (or package anyway) before uploading.`),
  'dataset.no_dataset': m({ id: 5 }, (p) => `Dataset ${p.id} does not exist`),
  'dataset.no_frame_set': m({ id: 4 }, (p) => `Frame set ${p.id} does not exist`),
  'dataset.frame_set_other_project': m({ id: 4 }, (p) => `Frame set ${p.id} belongs to another project`),
  'dataset.frame_set_unfinished': m({ id: 4 }, (p) => `Frame set ${p.id} is not finished yet`),
  'dataset.no_image': m({ id: 12 }, (p) => `Image ${p.id} does not exist`),
  'dataset.image_other_project': m({ id: 12 }, (p) => `Image ${p.id} belongs to another project`),
  'dataset.no_pictures': m({}, () => 'The chosen frame sets and images hold no picture.'),
  'dataset.check_errors': m({}, () => 'The health check found errors; fix them before packaging.'),
  'dataset.not_a_folder': m({ path: '/data/cats' }, (p) => `${p.path} is not a folder.`),
  'dataset.no_class_folders': m({ path: '/data/cats' }, (p) => `${p.path} has no class sub-folders (expected <dir>/<class>/*.jpg or <dir>/train/<class>/*.jpg).`),
  'dataset.file_exists': m({ path: '/data/cats.zip' }, (p) => `${p.path} already exists; choose a new file name.`),
  'dataset.check_errors_force': m({ count: 2 }, (p) => `The health check found ${p.count} error(s); fix them or pack with --force.`),
  'dataset.box_unknown_class': m({ name: 'dog' }, (p) => `A box is labelled "${p.name}", which is not one of the dataset's classes.`),
  'dataset.image_unknown_class': m({ name: 'dog' }, (p) => `An image is labelled "${p.name}", which is not one of the dataset's classes.`),
  'dataset.nothing_to_pack': m({}, () => 'The dataset has no image to package.'),

  // ---- jobs (main/node/jobs/job-runner.ts) ----
  'job.already_running': m({}, () => 'The job is already running'),
  'job.already_completed': m({}, () => 'The job has already completed'),
  'job.no_job': m({ id: '3f2a' }, (p) => `No job ${p.id}`),

  // ---- network (main/node/cloud/network/): the creator's jobs on the Kraken network and its credit ----
  'network.no_address': m({}, () => 'No Kraken network address: set KRAKEN_NETWORK_URL, save one on the Cloud page, or run the local emulator (npm run cloud:network).'),
  'network.bad_redundancy': m({}, () => 'The redundancy is 1, 2 or 3 (replicas on distinct nodes, compared).'),
  'network.no_frame_set': m({ id: 4 }, (p) => `No frame set ${p.id}.`),
  'network.no_frames': m({ id: 4 }, (p) => `Frame set ${p.id} has no frames to run.`),
  'network.not_png_jpeg': m({ file: 'frame_0001.webp' }, (p) => `Frame ${p.file} is not PNG or JPEG; the network takes only those.`),
  'network.model_changed': m({ id: 'u2netp' }, (p) => `The file of model ${p.id} changed since it was added (its sha256 differs); remove it and add it again.`),
  'network.frames_gone': m({}, () => 'The frames of this job are gone (deleted since it was submitted).'),
  'network.job_failed': m({}, () => 'The network could not finish the job; the reserved credit was refunded.'),
  'network.job_failed_reason': m({ reason: 'no node agreed on the outputs' }, (p) => `The network could not finish the job (${p.reason}); the reserved credit was refunded.`),
  'network.output_not_understood': m({}, () => 'The network returned an output the studio does not understand for this frame.'),
  'network.no_output': m({}, () => 'The network returned no output for this frame.'),
  'network.no_job': m({ id: 3 }, (p) => `No network job ${p.id}.`),
  'network.unsupported_model': m(
    { name: 'MoveNet', runtime: 'tfjs', task: 'pose' },
    (p) => `The network runs ONNX classification and detection models; ${p.name} is a ${p.runtime} ${p.task} model. Run it locally instead.`,
  ),
  'network.not_enough_credit': m(
    { cost: 6 as string | number, balance: 0 as string | number },
    (p) => `Not enough network credit for this job: it costs ${p.cost} credits and the balance is ${p.balance}. Contribute idle time to earn credit, or lower the redundancy.`,
  ),
  'network.nothing_earned': m({}, () => 'There is no earned credit to pay out yet: credit comes from jobs this studio ran for the network (the welcome grant is not paid out).'),
  'network.payable_only': m({ payable: 12 }, (p) => `Only ${p.payable} earned credit can be paid out now.`),

  // ---- solana (main/node/cloud/solana/): the wallet, the model registry, royalties and payouts ----
  'solana.bad_platform_wallet_env': m({}, () => 'KRAKEN_SOLANA_PLATFORM_WALLET is not a Solana address.'),
  'solana.platform_wallet_unknown': m({}, () => 'The platform wallet that subscription payments go to is not known: set KRAKEN_SOLANA_PLATFORM_WALLET or save it on the Wallet page.'),
  'solana.no_payouts': m({}, () => 'The contributor network does not offer payouts here (POST /v1/nodes/me/payout).'),
  'solana.not_a_node': m({}, () => 'This studio is not a contributor node yet (no network client).'),
  'solana.cannot_register': m({ problems: 'name is longer than 64 characters (70)' }, (p) => `The model cannot be registered: ${p.problems}.`),
  'solana.cannot_register_more': m(
    { problems: 'name is longer than 64 characters (70)', more: 2 },
    (p) => `The model cannot be registered: ${p.problems} (and ${p.more} more).`,
  ),
  'solana.no_backend_address': m({}, () => 'No Solana backend address: pass --api <url>, set KRAKEN_SOLANA_API, save one on the Wallet page, or start the local emulator.'),
  'solana.lineage_unknown': m(
    { pda: '7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU' },
    (p) => `The model ${p.pda} was not registered from this studio; its lineage is not known here. Preview by --depth instead.`,
  ),
  'solana.tiers_unknown': m({ pda: '7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU' }, (p) => `The model ${p.pda} was not registered from this studio, so its tiers are not known here.`),
  'solana.no_tier': m({ tier: 'pro', tiers: 'research, commercial' }, (p) => `The model has no tier "${p.tier}" (tiers: ${p.tiers}).`),
  'solana.tier_free': m({ tier: 'research' }, (p) => `The tier "${p.tier}" is free: there is nothing to pay.`),
  'solana.balance_short': m(
    { balance: 0.5, tier: 'commercial', price: 1, fee: 5000 },
    (p) => `The wallet holds ${p.balance} SOL; paying "${p.tier}" needs ${p.price} SOL and a fee of ${p.fee} lamports.`,
  ),
  'solana.rpc_unreachable': m(
    { rpcUrl: 'http://127.0.0.1:8899', call: 'getBalance', error: 'fetch failed' },
    (p) => `The Solana cluster at ${p.rpcUrl} cannot be reached (${p.call}): ${p.error}`,
  ),
  'solana.rpc_refused': m(
    { rpcUrl: 'http://127.0.0.1:8899', call: 'sendTransaction', error: 'Blockhash not found' },
    (p) => `The Solana cluster at ${p.rpcUrl} refused the request (${p.call}): ${p.error}`,
  ),
  'solana.tx_failed': m({ signature: '5VERv8NMvzbJMEkV8xnrLkEaWRtSz9CosKDYjCJjBRnbJLgp8uirBgmQpjKhoR4tjF3ZpRzrFmBV6UjKdiSZkQUW', error: '{"InstructionError":[0,"Custom"]}' }, (p) => `The transaction ${p.signature} failed on the cluster: ${p.error}`),
  'solana.tx_unconfirmed': m(
    { signature: '5VERv8NMvzbJMEkV8xnrLkEaWRtSz9CosKDYjCJjBRnbJLgp8uirBgmQpjKhoR4tjF3ZpRzrFmBV6UjKdiSZkQUW', seconds: 60 },
    (p) => `The transaction ${p.signature} was not confirmed within ${p.seconds} s; it may still land — look it up again later.`,
  ),
  'solana.rpc_not_url': m({ url: 'localhost:8899' }, (p) => `The RPC address "${p.url}" is not a URL (expected e.g. http://127.0.0.1:8899).`),
  'solana.rpc_protocol': m({}, () => 'The RPC address must start with http:// or https://.'),
  'solana.rpc_credentials': m({}, () => 'The RPC address must not carry a user name or password.'),
  'solana.key_unreadable': m({}, () => 'The key is neither base58 nor a JSON array of bytes (as solana-keygen writes).'),
  'solana.key_length': m({ length: 32 }, (p) => `A Solana secret key is 64 bytes; this one has ${p.length}.`),
  'solana.key_mismatch': m({}, () => "The key's public half does not match its secret half; it is not a Solana secret key."),
  'solana.custom_needs_rpc': m({}, () => 'A custom cluster needs its RPC URL.'),
  'solana.no_cluster_address': m({}, () => 'No Solana cluster address: pass --rpc <url>, set KRAKEN_SOLANA_RPC, choose a cluster on the Wallet page, or start the local emulator.'),
  'solana.no_wallet': m({}, () => 'There is no wallet yet: create one (kraken wallet new, or the Wallet page) or import a key.'),
  'solana.wallet_exists': m(
    { address: '7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU' },
    (p) => `A wallet (${p.address}) already exists; export its key if you need it, then remove it before making another.`,
  ),
  'solana.key_not_in_keychain': m({ address: '7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU' }, (p) => `The secret key of wallet ${p.address} is not in this computer's keychain; import the key again.`),
  'solana.keychain_other_key': m({}, () => "The key in the keychain is not the wallet's; import the key again."),
  'solana.confirm_export': m({}, () => 'Exporting the secret key needs an explicit confirmation.'),
  'solana.confirm_remove': m({}, () => 'Removing the wallet needs an explicit confirmation.'),
  'solana.airdrop_not_here': m({ cluster: 'mainnet-beta' }, (p) => `Airdrops exist only on the local emulator and devnet; the wallet is on ${p.cluster}.`),
  'solana.airdrop_not_here_custom': m({ rpcUrl: 'https://rpc.example.org' }, (p) => `Airdrops exist only on the local emulator and devnet; the wallet is on a custom cluster (${p.rpcUrl}).`),
  'solana.airdrop_amount': m({ sol: 0.0000000001 }, (p) => `An airdrop of ${p.sol} SOL is not a whole number of lamports above 0.`),

  // ---- contributor (main/node/contributor/): the node agent, its identity and its client ----
  'contributor.agent_running': m({ dir: '/home/me/.kraken' }, (p) => `A node agent is already running on this data folder (${p.dir}).`),
  'contributor.agent_no_answer': m({}, () => 'The node agent did not answer in time.'),
  'contributor.agent_refused': m({}, () => 'the agent refused'),
  'contributor.agent_not_json': m({}, () => 'The node agent sent a reply that is not JSON.'),
  'contributor.socket_unreachable': m({ error: 'connect EACCES /run/kraken/agent.sock' }, (p) => `The node agent's control socket could not be reached: ${p.error}`),
  'contributor.key_damaged_length': m({}, () => 'The node key in the vault is damaged (not a 64-byte ed25519 secret key); remove it to make a new node identity.'),
  'contributor.key_damaged_half': m({}, () => 'The node key in the vault is damaged (its public half does not match); remove it to make a new node identity.'),
  'contributor.body_not_signable': m({}, () => 'A contributor request body must be a string or bytes to be signed.'),
  'contributor.no_blob_bytes': m({ sha: '3f2a9c1b7d4e' }, (p) => `The network sent no bytes for blob ${p.sha}.`),
  'contributor.consent_changed': m({}, () => 'The consent text changed; read it again before turning donating on.'),
  'contributor.no_network_address': m({}, () => 'No network address: give one (networkUrl) or set KRAKEN_NETWORK_URL.'),
  'contributor.checkpoint_other_input': m({ index: 3 }, (p) => `checkpoint ${p.index} is of another input`),

  // ---- cloud plumbing (main/node/cloud/http-client.ts, download.ts, upload.ts, format-check.ts, service-address.ts) ----
  'cloud.path_not_relative': m({ origin: 'https://elsewhere.example' }, (p) => `A cloud request path must be relative to the service, not ${p.origin}.`),
  'cloud.path_not_relative_url': m({}, () => 'A cloud request path must be relative to the service, not a full URL.'),
  'cloud.address_not_url': m({ service: 'atlas', label: 'Atlas service', url: 'atlas.local' }, (p) => `The ${p.label} address "${p.url}" is not a URL (expected e.g. https://host:port).`),
  'cloud.address_protocol': m({ service: 'atlas', label: 'Atlas service' }, (p) => `The ${p.label} address must start with http:// or https://.`),
  'cloud.address_query': m({ service: 'atlas', label: 'Atlas service' }, (p) => `The ${p.label} address must not have a query or a fragment.`),
  'cloud.request_not_made': m({ service: 'atlas', label: 'Atlas service', error: 'Invalid header value' }, (p) => `The request to the ${p.label} could not be made: ${p.error}`),
  'cloud.reply_too_large': m({ service: 'atlas', label: 'Atlas service', mb: 32 }, (p) => `The ${p.label} sent a reply larger than the ${p.mb} MB the studio reads for a call like this.`),
  'cloud.file_too_large': m({ service: 'atlas', label: 'Atlas service', mb: 500 }, (p) => `The file the ${p.label} sent is larger than the ${p.mb} MB allowed; it was not kept.`),
  'cloud.http_416': m({ service: 'atlas', label: 'Atlas service' }, (p) => `The ${p.label} refused to send the file (HTTP 416).`),
  'cloud.file_wrong_size': m({ service: 'atlas', label: 'Atlas service', size: 1024, total: 2048 }, (p) => `The file from the ${p.label} is ${p.size} bytes but should be ${p.total}; it was removed.`),
  'cloud.not_kind_removed': m(
    { service: 'atlas', label: 'Atlas service', what: 'a GLB model', formats: 'GLB' },
    (p) => `The downloaded file is not ${p.what} as the ${p.label} said; it was removed.`,
  ),
  'cloud.not_kind_kept': m(
    { service: 'atlas', label: 'Atlas service', what: 'a GLB model', formats: 'GLB' },
    (p) => `The downloaded file is not ${p.what} as the ${p.label} said; it was kept for inspection.`,
  ),
  'cloud.not_kind_removed_any': m({ what: 'a GLB model', formats: 'GLB' }, (p) => `The downloaded file is not ${p.what} as the service said; it was removed.`),
  'cloud.not_kind_kept_any': m({ what: 'a GLB model', formats: 'GLB' }, (p) => `The downloaded file is not ${p.what} as the service said; it was kept for inspection.`),
  'cloud.upload_not_a_file': m({ path: '/data/cats' }, (p) => `${p.path} is not a file.`),
  'cloud.upload_changed': m({ file: '/data/clip.mp4', read: 1024, size: 2048 }, (p) => `${p.file} changed while it was being uploaded (${p.read} of ${p.size} bytes could be read). Upload it again.`),
  // the command line's address refusal: `name` is how the command names the service, `label` the service's own name
  'cloud.no_address_cloud_page': m(
    { service: 'atlas', label: 'Atlas service', name: 'Atlas', env: 'KRAKEN_ATLAS_URL' },
    (p) => `No ${p.name} address: pass --api <url>, set ${p.env}, or save one on the Cloud page.`,
  ),
  'cloud.no_address_training_page': m(
    { service: 'vision', label: 'vision training platform', name: 'vision training platform', env: 'KRAKEN_VISION_URL' },
    (p) => `No ${p.name} address: pass --api <url>, set ${p.env}, or save one on the Training page.`,
  ),
  'cloud.no_address_gpu_page': m(
    { service: 'compute', label: 'compute service', name: 'compute service', env: 'KRAKEN_COMPUTE_URL' },
    (p) => `No ${p.name} address: pass --api <url>, set ${p.env}, or save one on the GPU sessions page.`,
  ),

  // ---- connection checks (main/node/cloud/connection.ts, compute-service.ts, vision-service.ts) ----
  'cloud.no_address_set': m({ service: 'atlas', label: 'Atlas service' }, (p) => `No ${p.label} address is set.`),
  'cloud.answers_not_as': m(
    { service: 'atlas', label: 'Atlas service', status: 404, path: '/atlas/version' },
    (p) => `The server answers, but not as the ${p.label} (HTTP ${p.status} for ${p.path}).`,
  ),
  'cloud.check_5xx': m({ service: 'compute', label: 'compute service', status: 502 }, (p) => `The ${p.label} had a problem (HTTP ${p.status}).`),

  // ---- the outbox (main/node/cloud/outbox.ts) ----
  'outbox.too_deep': m({ where: 'payload' }, (p) => `The outbox ${p.where} is nested too deeply.`),
  'outbox.token_at': m({ where: 'payload', at: '$.headers' }, (p) => `The outbox ${p.where} holds what looks like a token at ${p.at}; store a reference instead.`),
  'outbox.secret_field': m(
    { where: 'payload', field: 'token' },
    (p) => `The outbox ${p.where} has a "${p.field}" field; secrets never go in the outbox (store a reference, look the secret up when sending).`,
  ),
  'outbox.too_large': m({ bytes: 70000, max: 65536 }, (p) => `The outbox payload is ${p.bytes} bytes; keep it under ${p.max} (store references, not data).`),
  'outbox.no_entry': m({ id: 'ob_12' }, (p) => `There is no outbox entry ${p.id}.`),
  'outbox.already_sent': m({}, () => 'That work was already sent.'),

  // ---- secrets (main/node/cloud/secrets.ts): `error` is the keychain's own words ----
  'secrets.bad_name': m({ name: 'a b' }, (p) => `Bad secret name "${p.name}"`),
  'secrets.no_keychain': m({}, () => 'The system keychain module is not available on this platform.'),
  'secrets.read_timeout': m({ seconds: 10 }, (p) => `The system keychain could not read a secret: it did not answer within ${p.seconds} s.`),
  'secrets.store_timeout': m({ seconds: 10 }, (p) => `The system keychain could not store a secret: it did not answer within ${p.seconds} s.`),
  'secrets.delete_timeout': m({ seconds: 10 }, (p) => `The system keychain could not delete a secret: it did not answer within ${p.seconds} s.`),
  'secrets.read_failed': m({ error: 'Platform secure storage failure' }, (p) => `The system keychain could not read a secret: ${p.error}.`),
  'secrets.store_failed': m({ error: 'Platform secure storage failure' }, (p) => `The system keychain could not store a secret: ${p.error}.`),
  'secrets.delete_failed': m({ error: 'Platform secure storage failure' }, (p) => `The system keychain could not delete a secret: ${p.error}.`),
  'secrets.file_damaged': m({ path: '/home/me/.kraken/credentials.json' }, (p) => `The credentials file ${p.path} is damaged; remove it and sign in again.`),
} satisfies Record<string, { en: (p: never) => string; example: MessageParams }>;

export type MessageCode = keyof typeof MESSAGES;
type ParamsOf<C extends MessageCode> = (typeof MESSAGES)[C]['example'];

/** A sentence as it travels: code and parameters for the UI, the English text for the CLI and logs. */
export interface Said {
  messageCode: MessageCode;
  messageParams: MessageParams;
  message: string;
}

/** Builds a sentence of the registry. */
export function say<C extends MessageCode>(code: C, params: ParamsOf<C>): Said {
  const entry = MESSAGES[code] as unknown as Entry<MessageParams>;
  return { messageCode: code, messageParams: { ...params }, message: entry.en(params) };
}

export function isMessageCode(x: unknown): x is MessageCode {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(MESSAGES, x);
}

/** Every code of the registry (for the tests that hold the locale files to it). */
export const MESSAGE_CODES = Object.keys(MESSAGES) as MessageCode[];
