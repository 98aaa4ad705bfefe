// A student's seat in a classroom sweep: a teacher's sweep link (Share panel)
// spreads an experiment's runs x seeds over the seats of a class. The student
// picks a seat (or the link names it), runs that seat's runs, and copies the
// results link back to the teacher, whose classroom view merges the seats.
import { useMemo, useState } from 'react';
import { linkWithResults } from '../../src/experiment/results_link';
import { makeSweep, pairName, type Sweep, shardPairs, textDigest } from '../../src/experiment/sweep';
import { isStudentLink } from '../classroom';
import { copyText } from '../download';
import { shareUrl } from '../lab';
import { useLab, useLabState } from './context';
import { LinkOutput } from './LinkOutput';

export function Seat() {
  const lab = useLab();
  const link = useLabState((s) => s.sweep);
  const experiment = useLabState((s) => s.experiment);
  const teacher = useLabState((s) => s.teacher);
  const userText = useLabState((s) => s.userText);
  const runs = useLabState((s) => s.runs);
  const gpu = useLabState((s) => s.gpu);
  const student = useLabState((s) => s.student);
  const unnamed = useLabState((s) => isStudentLink(s.teacher) && !s.student);
  const [picked, setPicked] = useState('');
  const [out, setOut] = useState('');
  const sweep = useMemo((): Sweep | string | null => {
    if (!link) return null;
    try {
      return makeSweep(experiment, link.seeds, { textDigest: userText === null ? null : textDigest(userText) });
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }, [link, experiment, userText]);
  if (!link || sweep === null) return null;
  const choice = picked || (link.seat ? String(link.seat) : '');
  const seat: number | 'all' | null = choice === 'all' ? 'all' : choice ? Number(choice) : null;
  const shard: [number, number] | null = seat === null ? null : seat === 'all' ? [1, 1] : [seat, link.seats];
  const mine = typeof sweep === 'string' || !shard ? [] : shardPairs(sweep, shard, null);
  // This seat's finished runs of this sweep, the latest of each pair: what its results link carries.
  const finished = runs.filter(
    (r) =>
      r.status === 'done' &&
      r.doc?.sweep &&
      typeof sweep !== 'string' &&
      r.doc.sweep.id === sweep.id &&
      shard &&
      r.doc.sweep.shard[0] === shard[0] &&
      r.doc.sweep.shard[1] === shard[1],
  );
  const done = [...new Map(finished.map((r) => [r.doc!.sweep!.pair, r])).values()].sort(
    (a, b) => a.doc!.sweep!.pair - b.doc!.sweep!.pair,
  );
  const copy = async () => {
    if (seat === null) return;
    const q = await linkWithResults(
      experiment,
      teacher,
      done.map((r) => r.doc!),
      { ...link, seat: seat === 'all' ? null : seat },
      student,
    );
    const url = shareUrl(q, true);
    setOut(url);
    await copyText(url);
  };
  const who = seat === 'all' ? 'The whole sweep' : `Seat ${seat}`;
  const seeds = link.seeds ? `${link.seeds.length} seed${link.seeds.length === 1 ? '' : 's'}` : 'its own seed';
  return (
    <section className="panel seat" aria-labelledby="seat-h">
      <h2 id="seat-h">Classroom sweep</h2>
      {typeof sweep === 'string' ? (
        <p className="error" role="alert">
          This sweep cannot run: {sweep}
        </p>
      ) : (
        <>
          <p>
            <strong>{sweep.name}</strong> (sweep <code data-testid="sweep-id">{sweep.id}</code>): every run with {seeds}
            , {sweep.pairs.length} runs shared by {link.seats} seat{link.seats === 1 ? '' : 's'}. Run your seat's runs,
            then send your teacher the seat's results link.
          </p>
          <div className="row">
            <label htmlFor="seat-pick">Your seat</label>
            <select id="seat-pick" value={choice} onChange={(e) => setPicked(e.target.value)}>
              <option value="">choose…</option>
              {Array.from({ length: link.seats }, (_, i) => (
                <option key={i} value={String(i + 1)}>
                  seat {i + 1} of {link.seats}
                </option>
              ))}
              <option value="all">the whole sweep (one machine)</option>
            </select>
          </div>
          {shard && (
            <p className="help" data-testid="seat-runs">
              {mine.length
                ? `${who} runs ${mine.length} run${mine.length === 1 ? '' : 's'}: ` +
                  mine.map((p) => pairName(p.tag, p.pair.index)).join(', ')
                : `Seat ${seat} has no runs: the sweep has fewer runs than seats.`}
            </p>
          )}
          <div className="row">
            <button
              type="button"
              disabled={!shard || !mine.length || gpu.state !== 'ok' || unnamed}
              onClick={() => seat !== null && lab.runSeat(seat)}
            >
              {seat === 'all' ? 'Run the whole sweep' : `Run seat ${seat ?? ''}`.trim()}
            </button>
            <button type="button" disabled={!done.length} onClick={() => void copy()}>
              Copy seat results link
            </button>
            {shard && (
              <span className="help" role="status">
                {done.length} of {mine.length} done
              </span>
            )}
          </div>
          {out && <LinkOutput value={out} label="Seat results link" />}
        </>
      )}
    </section>
  );
}
