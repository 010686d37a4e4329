import type { PageModule } from '../../app/page-module';
import { Icon } from '../../ui/icon';
import { PreviewPage } from '../../ui/preview-page';

function ContributePage() {
  return <PreviewPage ns="contribute" icon="heart" />;
}

const page: PageModule = { id: 'contribute', order: 60, titleKey: 'contribute:title', icon: <Icon name="heart" />, Component: ContributePage };
export default page;
