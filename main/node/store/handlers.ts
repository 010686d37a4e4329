/** IPC handlers of the library database (`db.*`). */
import type { ChannelsOf, HandlerGroup } from '../ipc/dispatch';
import type { LibraryService } from './library-service';

export function storeHandlers(library: LibraryService): HandlerGroup<ChannelsOf<'db'>> {
  return {
    'db.status': (req) => library.status(req),
    'db.backups': () => library.backups(),
    'db.backup': () => library.backup(),
    'db.restore': (req) => library.restore(req.name),
  };
}
