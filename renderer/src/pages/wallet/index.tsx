import type { PageModule } from '../../app/page-module';
import { Icon } from '../../ui/icon';
import { PreviewPage } from '../../ui/preview-page';

function WalletPage() {
  return <PreviewPage ns="wallet" icon="wallet" />;
}

const page: PageModule = { id: 'wallet', order: 70, titleKey: 'wallet:title', icon: <Icon name="wallet" />, Component: WalletPage };
export default page;
