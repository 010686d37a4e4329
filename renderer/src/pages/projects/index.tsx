import type { PageModule } from '../../app/page-module';
import { Icon } from '../../ui/icon';
import { ProjectsPage } from './projects-page';
import './projects.css';

const page: PageModule = { id: 'projects', order: 10, titleKey: 'projects:title', icon: <Icon name="folder" />, Component: ProjectsPage };
export default page;
