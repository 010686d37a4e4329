import type { PageModule } from '../../app/page-module';
import { Icon } from '../../ui/icon';
import { WalletPage } from './wallet-page';
import './wallet.css';

const page: PageModule = { id: 'wallet', order: 70, titleKey: 'wallet:title', icon: <Icon name="wallet" />, Component: WalletPage };
export default page;
