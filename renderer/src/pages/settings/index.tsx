import type { PageModule } from '../../app/page-module';
import { Icon } from '../../ui/icon';
import { SettingsPage } from './settings-page';
import './settings.css';

const page: PageModule = { id: 'settings', order: 80, titleKey: 'settings:title', icon: <Icon name="settings" />, Component: SettingsPage };
export default page;
