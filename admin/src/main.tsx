import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { ConfigError, loadConfig } from './config';
import './styles.css';

const root = createRoot(document.getElementById('root')!);

function StartupError({ message }: { message: string }) {
  return (
    <main id="main" className="sign-in">
      <h1>Token admin could not start</h1>
      <div role="alert" className="alert alert-error">
        {message} Reload the page; if it happens again, tell the platform team.
      </div>
    </main>
  );
}

loadConfig().then(
  (config) =>
    root.render(
      <StrictMode>
        <App config={config} />
      </StrictMode>,
    ),
  (error: unknown) =>
    root.render(<StartupError message={error instanceof ConfigError ? error.message : 'The configuration could not be read.'} />),
);
