import type { PageModule } from '../../app/page-module';
import { Icon } from '../../ui/icon';
import { ViewerPage } from './viewer-page';

export { openModelFiles, openModelPath, viewerLink, canOpenInViewer, viewerExtensions } from './open-model';

const page: PageModule = { id: 'viewer', order: 40, titleKey: 'viewer:title', icon: <Icon name="cube" />, Component: ViewerPage };
export default page;
