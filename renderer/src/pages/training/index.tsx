import type { PageModule } from '../../app/page-module';
import { Icon } from '../../ui/icon';
import { TrainingPage } from './training-page';
import './training.css';

const page: PageModule = { id: 'training', order: 55, titleKey: 'training:title', icon: <Icon name="sparkles" />, Component: TrainingPage };
export default page;
