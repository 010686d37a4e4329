import type { PageModule } from '../../app/page-module';
import { Icon } from '../../ui/icon';
import { ModelsPage } from './models-page';
import './models.css';

const page: PageModule = { id: 'models', order: 30, titleKey: 'models:title', icon: <Icon name="cpu" />, Component: ModelsPage };
export default page;
