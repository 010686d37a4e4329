import type { PageModule } from '../../app/page-module';
import { Icon } from '../../ui/icon';
import { PreviewPage } from '../../ui/preview-page';

function CloudPage() {
  return <PreviewPage ns="cloud" icon="cloud" />;
}

const page: PageModule = { id: 'cloud', order: 50, titleKey: 'cloud:title', icon: <Icon name="cloud" />, Component: CloudPage };
export default page;
