import { KEPT_BACKEND_NAMES } from '../storage/keptFolder.ts';
import { queueToCsv } from '../results.ts';
import { useStore } from '../store.ts';
import type { QueueItem } from '../queue/slice.ts';
import { downloadText } from './download.ts';

const STATUS_TEXT: Record<QueueItem['status'], string> = {
  waiting: 'waiting',
  running: 'analysing',
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
  'needs-file': 'needs its file again',
};

const size = (bytes: number) => (bytes < 2 ** 20 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 2 ** 20).toFixed(1)} MB`);
const stem = (path: string) => path.replace(/^.*\//, '').replace(/\.[^.]*$/, '');

/** Where a file is: the words say it (never a colour alone), with progress while it runs. */
function ItemStatus({ item }: { item: QueueItem }) {
  // Two numbers, not an object: a selector must return the same value while nothing changed.
  const ours = (s: ReturnType<typeof useStore.getState>) => s.analysis !== undefined && s.analysis.id === item.analysisId;
  const clipsDone = useStore((s) => (ours(s) ? s.analysis!.clipsDone : 0));
  const clips = useStore((s) => (ours(s) ? s.analysis!.clips : 0));
  if (item.status === 'running') {
    return (
      <span className="queue-status">
        analysing {clips ? `${clipsDone} of ${clips} clips` : '…'}{' '}
        <progress max={clips || 1} value={clipsDone} aria-label={`${item.path}: clips done`} />
      </span>
    );
  }
  if (item.status === 'done') {
    const top = item.verdict?.[0];
    return <span className="queue-status">done{top ? `: ${top.label} (${(top.probability * 100).toFixed(0)}%)` : ''}</span>;
  }
  if (item.status === 'failed') return <span className="queue-status">failed: {item.error}</span>;
  return <span className="queue-status">{STATUS_TEXT[item.status]}</span>;
}

/** The queue: each file's status, cancel and reorder, and exports of every finished file. */
export function QueuePanel() {
  const queue = useStore((s) => s.queue);
  const { cancelQueued, cancelQueue, retryQueued, moveQueued, clearQueue, queueResult, queueResults, reopenFolder } = useStore.getState();
  // A folder with no videos in it, chosen while the queue is empty: say so rather than nothing.
  if (!queue.items.length) return queue.added ? <p className="notice" role="status" data-testid="queue-added">{queue.added}</p> : null;
  const count = (status: QueueItem['status']) => queue.items.filter((i) => i.status === status).length;
  const done = count('done');
  const missing = count('needs-file');
  // Folders of the last visit that hold files still waiting for theirs.
  const reopenable = queue.folders
    .map(({ name }, index) => ({ name, index }))
    .filter(({ name }) => queue.items.some((i) => i.status === 'needs-file' && i.path.startsWith(`${name}/`)));
  const open = queue.items.some((i) => i.status === 'waiting' || i.status === 'running' || i.status === 'needs-file');
  const exportAll = async (format: 'json' | 'csv') => {
    const all = await queueResults();
    if (format === 'json') {
      const failed = queue.items.filter((i) => i.status === 'failed').map((i) => ({ file: i.path, error: i.error }));
      downloadText('queue.labels.json', 'application/json', JSON.stringify({ files: all.map((x) => x.result), failed }, null, 2));
    } else downloadText('queue.labels.csv', 'text/csv', queueToCsv(all.map((x) => x.result)));
  };
  const exportOne = async (item: QueueItem) => {
    const result = await queueResult(item.key);
    if (result) downloadText(`${stem(item.path)}.labels.json`, 'application/json', JSON.stringify(result, null, 2));
  };
  return (
    <section className="queue" aria-label="Queue of videos" data-testid="queue">
      <h2>Queue</h2>
      <p className="detail" aria-live="polite" data-testid="queue-summary">
        {done} of {queue.items.length} done
        {count('failed') ? ` · ${count('failed')} failed` : ''}
        {count('cancelled') ? ` · ${count('cancelled')} cancelled` : ''}
        {missing ? ` · ${missing} from the last visit need their files again: choose them (or their folder) again to go on` : ''}
        {queue.storage === 'kept' && queue.keptIn ? ` · results are kept in ${KEPT_BACKEND_NAMES[queue.keptIn]}` : ''}
      </p>
      {reopenable.length > 0 && (
        <p className="row" data-testid="queue-folders">
          {reopenable.map(({ name, index }) => (
            <button type="button" key={index} onClick={() => void reopenFolder(index)}>
              Open {name} again
            </button>
          ))}
        </p>
      )}
      {queue.added && <p className="detail" data-testid="queue-added">{queue.added}</p>}
      {queue.notice && <p className="notice" data-testid="queue-notice">{queue.notice}</p>}
      <ol className="queue-list">
        {queue.items.map((item, i) => (
          <li key={item.key} data-status={item.status} data-path={item.path}>
            <span className="queue-path" title={item.path}>{item.path}</span> <span className="detail">{size(item.size)}</span> <ItemStatus item={item} />
            <span className="queue-actions">
              <button type="button" disabled={i === 0} aria-label={`Move ${item.path} up`} onClick={() => moveQueued(item.key, -1)}>
                ↑
              </button>
              <button type="button" disabled={i === queue.items.length - 1} aria-label={`Move ${item.path} down`} onClick={() => moveQueued(item.key, 1)}>
                ↓
              </button>
              {(item.status === 'waiting' || item.status === 'running' || item.status === 'needs-file') && (
                <button type="button" aria-label={`Cancel ${item.path}`} onClick={() => cancelQueued(item.key)}>
                  Cancel
                </button>
              )}
              {(item.status === 'failed' || item.status === 'cancelled') && (
                <button type="button" aria-label={`Retry ${item.path}`} onClick={() => retryQueued(item.key)}>
                  Retry
                </button>
              )}
              {item.status === 'done' && (
                <button type="button" aria-label={`Export ${item.path} as JSON`} onClick={() => void exportOne(item)}>
                  JSON
                </button>
              )}
            </span>
          </li>
        ))}
      </ol>
      <div className="row">
        <button type="button" disabled={!open} onClick={cancelQueue}>
          Cancel all
        </button>
        <button type="button" disabled={!done} onClick={() => void exportAll('json')}>
          Export all JSON
        </button>
        <button type="button" disabled={!done} onClick={() => void exportAll('csv')}>
          Export all CSV
        </button>
        <button type="button" className="danger" onClick={clearQueue}>
          Clear the queue
        </button>
      </div>
    </section>
  );
}
