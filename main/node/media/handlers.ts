/** IPC handlers of the media domain: import, frame extraction and frame sets, pre-flight and fixes. */
import type { ChannelsOf, HandlerGroup } from '../ipc/dispatch';
import type { FrameService } from './frame-service';
import type { MediaService } from './media-service';
import type { PreflightService } from './preflight-service';

export interface MediaHandlerDeps {
  media: MediaService;
  frames: FrameService;
  preflight: PreflightService;
}

export function mediaHandlers({ media, frames, preflight }: MediaHandlerDeps): HandlerGroup<ChannelsOf<'media'> | ChannelsOf<'frames'>> {
  return {
    'media.import': (req) => media.importPaths(req.projectId, req.paths),
    'media.importSample': (req) => media.importSample(req.projectId),
    'media.list': (req) => media.list(req.projectId),
    'media.remove': (req) => ({ removed: media.remove(req.id) }),
    'media.preflight': (req) => preflight.preflight(req),
    'media.fix': (req) => preflight.startFix(req),
    'frames.extract': (req) => frames.startExtraction(req.projectId, req.mediaId, req.params),
    'frames.listSets': (req) => frames.listSets(req.projectId),
    'frames.listImages': (req) => frames.listImages(req),
    'frames.deleteSet': async (req) => ({ deleted: await frames.deleteSet(req.id) }),
    'frames.deleteImages': (req) => frames.deleteImages(req.frameSetId, req.imageIds),
    'frames.keepImages': (req) => frames.keepImages(req.frameSetId, req.imageIds),
    'frames.export': (req) => frames.startExport(req.frameSetId, { format: req.format, dest: req.format === 'zip' ? req.destFile : req.destDir }),
    'frames.contactSheet': (req) => frames.contactSheet(req.frameSetId, req),
  };
}
