import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { AppShell } from './app/app-shell';
import { i18n } from './i18n';
import './styles/theme.css';
import './styles/components.css';
import './styles/shell.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nextProvider i18n={i18n}>
      <AppShell />
    </I18nextProvider>
  </StrictMode>,
);
