import { useEffect, useRef, useState } from 'react';
import type { MouseEvent } from 'react';
import { Link, useParams } from 'react-router-dom';
import { ApiError, isAbortError } from '../api/client';
import { ACTIONS, BULK_ACTIONS, CARD_EVENTS } from '../api/types';
import type {
  Action,
  ActionResult,
  BulkAction,
  BulkTarget,
  JobResponse,
  TokenPage as Token,
  TokenTransactions,
} from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { DataTable } from '../components/DataTable';
import { DateTime } from '../components/DateTime';
import { ErrorAlert } from '../components/ErrorAlert';
import { PageHeading } from '../components/PageHeading';
import { useDialogFocus } from '../lib/dialogFocus';
import { Loading } from '../components/RequireAuth';
import { humanise, maskedCard, orDash } from '../lib/format';
import {
  ACTION_PERMISSION,
  ACTION_TEXT,
  BULK_PERMISSION,
  CARD_EVENTS_PERMISSION,
  bulkButtonLabel,
  deliveryChannelLabel,
  deliveryKindLabel,
  deliveryResultLabel,
  reasonLabel,
  suspenderLabel,
  tokenWallet,
} from '../lib/labels';
import { ActionDialog } from './ActionDialog';
import { BulkDialog } from './BulkDialog';
import { CardEventDialog } from './CardEventDialog';
import { jobSentence } from './JobProgress';
import { DecisionTrailSection } from './DecisionTrail';

const TOKEN_ID = /^[A-Za-z0-9_-]{8,64}$/;

type Load = { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'ready'; token: Token };

export function TokenPage() {
  const { tokenId = '' } = useParams();
  const { api, can } = useAuth();
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const [dialog, setDialog] = useState<Action | null>(null);
  const [bulk, setBulk] = useState<{ action: BulkAction; target: BulkTarget } | null>(null);
  const [cardEvent, setCardEvent] = useState(false);
  const [result, setResult] = useState('');
  const [resultTone, setResultTone] = useState<'success' | 'info'>('success');
  const focus = useDialogFocus();

  useEffect(() => {
    if (!TOKEN_ID.test(tokenId)) {
      setLoad({ kind: 'error', message: 'There is no such token.' });
      return;
    }
    const controller = new AbortController();
    setLoad({ kind: 'loading' });
    setResult('');
    api.getToken(tokenId, controller.signal).then(
      (token) => setLoad({ kind: 'ready', token }),
      (error: unknown) => {
        if (isAbortError(error)) return;
        setLoad({ kind: 'error', message: error instanceof ApiError ? error.detail : 'The token could not be loaded.' });
      },
    );
    return () => controller.abort();
  }, [api, tokenId]);

  function openDialog(action: Action, event: MouseEvent<HTMLButtonElement>) {
    focus.opened(event);
    setResult('');
    setDialog(action);
  }

  function openBulk(action: BulkAction, target: BulkTarget, event: MouseEvent<HTMLButtonElement>) {
    focus.opened(event);
    setResult('');
    setBulk({ action, target });
  }

  function openCardEvent(event: MouseEvent<HTMLButtonElement>) {
    focus.opened(event);
    setResult('');
    setCardEvent(true);
  }

  // After a job was started the token has (or will have) changed: load it again,
  // then give focus back (to the opener if it is still offered, else to the result).
  function closeBulk(started: { jobId: string; last: JobResponse | null } | null) {
    setBulk(null);
    setCardEvent(false);
    if (!started) {
      focus.closed();
      return;
    }
    const { jobId, last } = started;
    const summary = last
      ? last.status === 'RUNNING'
        ? `${jobSentence(last)} It goes on without the panel.`
        : jobSentence(last)
      : `Job ${jobId}: started.`;
    setResultTone(last?.status === 'DONE' ? 'success' : 'info');
    setResult(summary);
    api.getToken(tokenId).then(
      (fresh) => {
        setLoad({ kind: 'ready', token: fresh });
        focus.closed();
      },
      (error: unknown) => {
        setResultTone('info');
        setResult(`${summary} The token could not be loaded again: ${error instanceof ApiError ? error.detail : 'the request failed.'}`);
        focus.closed();
      },
    );
  }

  function closeDialog() {
    setDialog(null);
    focus.closed();
  }

  function onDone(action: Action, outcome: ActionResult) {
    const { networkStatus, ...token } = outcome;
    setLoad({ kind: 'ready', token });
    setResultTone('success');
    setResult(
      networkStatus === 'CONFIRMED'
        ? `${ACTION_TEXT[action].done}: confirmed by the network.`
        : 'Sent: the network has not confirmed yet.',
    );
    closeDialog();
  }

  const token = load.kind === 'ready' ? load.token : null;
  const actions = token ? ACTIONS.filter((a) => token.allowedActions.includes(a) && can(ACTION_PERMISSION[a])) : [];
  const bulkActions =
    token && can(BULK_PERMISSION) ? BULK_ACTIONS.filter((a) => (token.bulkActions ?? []).includes(a)) : [];
  const cardEvents =
    token && token.cardId && can(CARD_EVENTS_PERMISSION)
      ? CARD_EVENTS.filter((e) => (token.cardEvents ?? []).includes(e))
      : [];

  return (
    <>
      <p className="back">
        <Link to="/search">Back to search</Link>
      </p>
      <PageHeading title={token ? `Token ${token.tokenReference}` : 'Token'} />
      {load.kind === 'loading' && <Loading />}
      {load.kind === 'error' && <ErrorAlert message={load.message} />}
      <div ref={focus.statusRef} role="status" className={result ? `alert alert-${resultTone}` : 'visually-empty'} tabIndex={-1}>
        {result}
      </div>
      {token && (
        <>
          <TokenDetails token={token} />
          <HistorySection token={token} />
          <DecisionTrailSection trail={token.decisionTrail} />
          <DeliveriesSection token={token} />
          <TransactionsSection key={token.tokenId} tokenId={token.tokenId} />
          <section aria-labelledby="actions-heading">
            <h2 id="actions-heading">Actions</h2>
            {actions.length > 0 ? (
              <div className="actions">
                {actions.map((action) => (
                  <button
                    key={action}
                    type="button"
                    className={action === 'delete' ? 'danger' : 'primary'}
                    onClick={(e) => openDialog(action, e)}
                  >
                    {ACTION_TEXT[action].button}
                  </button>
                ))}
              </div>
            ) : (
              <p>No action is available to you for this token now.</p>
            )}
          </section>
          {token.deviceId && bulkActions.length > 0 && (
            <BulkSection
              kind="device"
              heading="Every token of this device"
              intro={`Device ${token.deviceId}: you will see which tokens would change before anything is done.`}
              actions={bulkActions}
              onOpen={(action, e) => openBulk(action, { kind: 'device', deviceId: token.deviceId! }, e)}
            />
          )}
          {token.cardId && bulkActions.length > 0 && (
            <BulkSection
              kind="card"
              heading="Every token of this card"
              intro={`Card ${token.cardId}: you will see which tokens would change before anything is done.`}
              actions={bulkActions}
              onOpen={(action, e) => openBulk(action, { kind: 'card', cardId: token.cardId! }, e)}
            />
          )}
          {token.cardId && cardEvents.length > 0 && (
            <section aria-labelledby="card-events-heading">
              <h2 id="card-events-heading">Card</h2>
              <p className="muted">
                Card {token.cardId}: report what happened to it (lost, stolen, blocked, …). Every token of the card follows.
              </p>
              <div className="actions">
                <button type="button" className="primary" onClick={openCardEvent}>
                  Report the card…
                </button>
              </div>
            </section>
          )}
          {bulk && <BulkDialog action={bulk.action} target={bulk.target} onClose={closeBulk} />}
          {cardEvent && token.cardId && (
            <CardEventDialog
              cardId={token.cardId}
              events={cardEvents}
              references={new Map([[token.tokenId, token.tokenReference]])}
              onClose={closeBulk}
            />
          )}
          {dialog && (
            <ActionDialog
              action={dialog}
              token={token}
              onCancel={closeDialog}
              onDone={(outcome) => onDone(dialog, outcome)}
            />
          )}
        </>
      )}
    </>
  );
}

function BulkSection({
  kind,
  heading,
  intro,
  actions,
  onOpen,
}: {
  kind: BulkTarget['kind'];
  heading: string;
  intro: string;
  actions: BulkAction[];
  onOpen: (action: BulkAction, event: MouseEvent<HTMLButtonElement>) => void;
}) {
  const headingId = `bulk-${kind}-heading`;
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>{heading}</h2>
      <p className="muted">{intro}</p>
      <div className="actions">
        {actions.map((action) => (
          <button
            key={action}
            type="button"
            className={action === 'delete' ? 'danger' : 'primary'}
            onClick={(e) => onOpen(action, e)}
          >
            {bulkButtonLabel(action, kind)}
          </button>
        ))}
      </div>
    </section>
  );
}

function TokenDetails({ token }: { token: Token }) {
  const device = [token.device?.name, token.device?.type, token.device?.os].filter((v) => v && v.trim()).join(' · ');
  const pending = token.pendingNetworkAction;
  return (
    <section aria-labelledby="details-heading">
      <h2 id="details-heading">Details</h2>
      {pending && (
        <p className="notice">
          Pending at the network: {pending.action} since <DateTime value={pending.requestedAt} />
        </p>
      )}
      <dl className="details">
        <dt>Status</dt>
        <dd>
          <span className={`badge status-${token.status.toLowerCase()}`}>{token.status}</span>
        </dd>
        <dt>Suspended by</dt>
        <dd>{token.suspendedBy.length ? token.suspendedBy.map(suspenderLabel).join(', ') : '—'}</dd>
        <dt>Network</dt>
        <dd>{token.network}</dd>
        <dt>Wallet</dt>
        <dd>{tokenWallet(token)}</dd>
        {token.wallet && token.walletId && (
          <>
            <dt>Wallet ID</dt>
            <dd>{token.walletId}</dd>
          </>
        )}
        <dt>Token requestor</dt>
        <dd>{orDash(token.tokenRequestorId)}</dd>
        <dt>Device</dt>
        <dd>{orDash(device)}</dd>
        <dt>Device ID</dt>
        <dd>{orDash(token.deviceId)}</dd>
        <dt>Card ID</dt>
        <dd>{orDash(token.cardId)}</dd>
        <dt>Card</dt>
        <dd>{maskedCard(token.panLast4)}</dd>
        <dt>Created</dt>
        <dd>
          <DateTime value={token.createdAt} />
        </dd>
        <dt>Updated</dt>
        <dd>
          <DateTime value={token.updatedAt} />
        </dd>
      </dl>
    </section>
  );
}

/** Oldest first, so the newest change is the last row. */
export function chronological<T extends { eventTime: string }>(entries: T[]): T[] {
  const time = (e: T) => {
    const t = Date.parse(e.eventTime);
    return Number.isNaN(t) ? 0 : t;
  };
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => time(a.entry) - time(b.entry) || a.index - b.index)
    .map(({ entry }) => entry);
}

function HistorySection({ token }: { token: Token }) {
  const entries = chronological(token.history);
  return (
    <section aria-labelledby="history-heading">
      <h2 id="history-heading">History</h2>
      {entries.length === 0 ? (
        <p>No history yet.</p>
      ) : (
        <DataTable caption="History" columns={['Time', 'Status', 'Initiator', 'Reason', 'Operator', 'Comment']}>
          {entries.map((entry, i) => (
            <tr key={`${entry.eventTime}-${i}`}>
              <td className="nowrap">
                <DateTime value={entry.eventTime} />
              </td>
              <td>
                {entry.status}
                {!entry.applied && <span className="muted"> (not applied)</span>}
              </td>
              <td>{entry.initiator}</td>
              <td>{reasonLabel(entry.reasonCode)}</td>
              <td>{orDash(entry.operator)}</td>
              <td>{orDash(entry.comment)}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}

function DeliveriesSection({ token }: { token: Token }) {
  const deliveries = token.deliveries ?? [];
  return (
    <section aria-labelledby="deliveries-heading">
      <h2 id="deliveries-heading">Deliveries</h2>
      <p className="muted">Activation codes and notices sent about this token, newest first. Codes and addresses are never shown.</p>
      {deliveries.length === 0 ? (
        <p>Nothing was sent about this token.</p>
      ) : (
        <DataTable caption="Deliveries" columns={['Time', 'What', 'Channel', 'Result', 'About']}>
          {deliveries.map((d, i) => (
            <tr key={`${d.at}-${i}`}>
              <td className="nowrap">
                <DateTime value={d.at} />
              </td>
              <td>{deliveryKindLabel(d.kind)}</td>
              <td>{deliveryChannelLabel(d.channel)}</td>
              <td>
                <span className={`badge delivery-${d.result.toLowerCase().replace(/_/g, '-')}`}>{deliveryResultLabel(d.result)}</span>
              </td>
              <td>{d.eventType ? humanise(d.eventType) : '—'}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}

type TransactionsLoad =
  | { kind: 'idle' }
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; answer: TokenTransactions };

/** The network's transaction list, asked for only when the agent wants it (each look is audited). */
function TransactionsSection({ tokenId }: { tokenId: string }) {
  const { api } = useAuth();
  const [load, setLoad] = useState<TransactionsLoad>({ kind: 'idle' });
  const inFlight = useRef<AbortController | null>(null);

  useEffect(() => () => inFlight.current?.abort(), []);

  function show() {
    inFlight.current?.abort();
    const controller = new AbortController();
    inFlight.current = controller;
    setLoad({ kind: 'loading' });
    api.tokenTransactions(tokenId, controller.signal).then(
      (answer) => {
        if (inFlight.current === controller) setLoad({ kind: 'ready', answer });
      },
      (error: unknown) => {
        if (isAbortError(error) || inFlight.current !== controller) return;
        setLoad({
          kind: 'error',
          message: error instanceof ApiError ? error.detail : 'The transactions could not be loaded.',
        });
      },
    );
  }

  const answer = load.kind === 'ready' ? load.answer : null;
  return (
    <section aria-labelledby="transactions-heading" aria-busy={load.kind === 'loading'}>
      <h2 id="transactions-heading">Transactions</h2>
      <p className="muted">The token's recent transactions, as its network reports them.</p>
      <div className="actions">
        <button type="button" onClick={show} disabled={load.kind === 'loading'}>
          {load.kind === 'idle' ? 'Show transactions' : 'Show transactions again'}
        </button>
      </div>
      <div aria-live="polite" className="transactions">
        {load.kind === 'loading' && <p className="loading">Loading the transactions…</p>}
        {load.kind === 'error' && <ErrorAlert message={load.message} />}
        {answer && !answer.offered && <p>The network does not offer a transaction list for this token.</p>}
        {answer && answer.offered && answer.transactions.length === 0 && <p>The network reports no transaction for this token.</p>}
        {answer && answer.offered && answer.transactions.length > 0 && (
          <DataTable caption="Transactions" columns={['Time', 'Type', 'Status', 'Amount', 'Merchant', 'Entry mode']}>
            {answer.transactions.map((t, i) => (
              <tr key={`${i}-${t.timestamp ?? ''}`}>
                <td className="nowrap">
                  <DateTime value={t.timestamp} />
                </td>
                <td>{t.transactionType ? humanise(t.transactionType) : '—'}</td>
                <td>{t.status ? humanise(t.status) : '—'}</td>
                <td className="nowrap">{t.amount ? [t.amount, t.currencyCode].filter(Boolean).join(' ') : '—'}</td>
                <td>
                  {t.merchantName ?? (t.merchantCategory ? null : '—')}
                  {t.merchantCategory && (
                    <span className="muted">{t.merchantName ? ` (${t.merchantCategory})` : t.merchantCategory}</span>
                  )}
                </td>
                <td>{t.posEntryMode ? humanise(t.posEntryMode) : '—'}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </div>
    </section>
  );
}
