import { BrowserRouter, Route, Routes } from 'react-router-dom';
import { AuthProvider } from './auth/AuthContext';
import type { AppConfig } from './config';
import { Layout } from './components/Layout';
import { RequireAuth, RequirePermission } from './components/RequireAuth';
import { AgentsPage } from './pages/AgentsPage';
import { AuditPage } from './pages/AuditPage';
import { CallbackPage } from './pages/CallbackPage';
import { DecisionRulesPage } from './pages/DecisionRulesPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { ReportsPage } from './pages/ReportsPage';
import { SearchPage } from './pages/SearchPage';
import { SignInPage } from './pages/SignInPage';
import { TokenPage } from './pages/TokenPage';

export const BASENAME = '/admin';

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignInPage />} />
      <Route path="/callback" element={<CallbackPage />} />
      <Route
        element={
          <RequireAuth>
            <Layout />
          </RequireAuth>
        }
      >
        <Route index element={<SearchPage />} />
        <Route path="search" element={<SearchPage />} />
        <Route path="tokens/:tokenId" element={<TokenPage />} />
        <Route
          path="audit"
          element={
            <RequirePermission permission="audit.read">
              <AuditPage />
            </RequirePermission>
          }
        />
        <Route
          path="reports"
          element={
            <RequirePermission permission="reports.read">
              <ReportsPage />
            </RequirePermission>
          }
        />
        <Route
          path="decision-rules"
          element={
            <RequirePermission permission="rules.manage">
              <DecisionRulesPage />
            </RequirePermission>
          }
        />
        <Route
          path="agents"
          element={
            <RequirePermission permission="agents.manage">
              <AgentsPage />
            </RequirePermission>
          }
        />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}

export function App({ config }: { config: AppConfig }) {
  return (
    <BrowserRouter basename={BASENAME}>
      <AuthProvider config={config}>
        <AppRoutes />
      </AuthProvider>
    </BrowserRouter>
  );
}
