import type { PageModule } from '../../app/page-module';
import { Icon } from '../../ui/icon';
import { CloudPage } from './cloud-page';
import './cloud.css';

const page: PageModule = { id: 'cloud', order: 50, titleKey: 'cloud:title', icon: <Icon name="cloud" />, Component: CloudPage };
export default page;
