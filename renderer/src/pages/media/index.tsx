import type { PageModule } from '../../app/page-module';
import { Icon } from '../../ui/icon';
import { MediaPage } from './media-page';
import './media.css';

const page: PageModule = { id: 'media', order: 20, titleKey: 'media:title', icon: <Icon name="film" />, Component: MediaPage };
export default page;
