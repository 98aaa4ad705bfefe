// One control of the field table: the input for its kind, its label, its
// help, teacher locks and validation messages. Values are committed to the
// store only when valid; the draft stays visible with its error otherwise.
import { type ReactNode, useEffect, useId, useState } from 'react';
import { checkValue, type Field, type FieldValue } from '../../src/experiment/fields';

function toText(v: FieldValue): string {
  return Array.isArray(v) ? v.join(', ') : String(v);
}

function parse(f: Field, text: string): FieldValue {
  const k = f.kind;
  const t = text.trim();
  switch (k.type) {
    case 'int':
    case 'float':
      return t === '' ? NaN : Number(t);
    case 'intList':
    case 'floatList':
      return t === ''
        ? []
        : t
            .split(/[\s,]+/)
            .filter(Boolean)
            .map(Number);
    case 'enumList':
      return t === '' ? [] : t.split(/[\s,]+/).filter(Boolean);
    default:
      return text;
  }
}

/** A padlock drawn, not an emoji: without an emoji font an emoji renders as an empty box. */
export function LockIcon() {
  return (
    <svg className="lock" width="12" height="14" viewBox="0 0 12 14" aria-hidden="true" data-testid="lock-icon">
      <path d="M3 6V4a3 3 0 0 1 6 0v2" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <rect x="1" y="6" width="10" height="7.5" rx="1.5" fill="currentColor" />
    </svg>
  );
}

export interface FieldProps {
  field: Field;
  value: FieldValue;
  locked?: boolean;
  /** Label override (per-run controls). */
  label?: string;
  onCommit(v: FieldValue): void;
}

export function FieldInput({ field: f, value, locked, label, onCommit }: FieldProps) {
  const id = useId();
  const [draft, setDraft] = useState(toText(value));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setDraft(toText(value));
    setError(null);
  }, [value]);
  const helpId = `${id}-help`;
  const text = label ?? f.label;
  const lockNote = locked ? ' (locked by the teacher)' : '';
  const describedBy =
    [f.help || locked ? helpId : null, error ? `${id}-err` : null].filter(Boolean).join(' ') || undefined;
  const commitText = (t: string) => {
    setDraft(t);
    const v = parse(f, t);
    const err = checkValue(f, v);
    setError(err);
    if (!err) onCommit(v);
  };
  let input: ReactNode;
  if (f.kind.type === 'bool') {
    input = (
      <input
        id={id}
        type="checkbox"
        checked={value === true}
        disabled={locked}
        aria-describedby={describedBy}
        onChange={(e) => onCommit(e.target.checked)}
      />
    );
  } else if (f.kind.type === 'enum') {
    input = (
      <select
        id={id}
        value={String(value)}
        disabled={locked}
        aria-describedby={describedBy}
        onChange={(e) => onCommit(e.target.value)}
      >
        {f.kind.values.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
    );
  } else {
    const numeric = f.kind.type === 'int' || f.kind.type === 'float';
    input = (
      <input
        id={id}
        type="text"
        inputMode={numeric ? 'decimal' : undefined}
        value={draft}
        disabled={locked}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        onChange={(e) => commitText(e.target.value)}
        size={numeric ? 8 : 14}
      />
    );
  }
  return (
    <div className={`field${f.kind.type === 'bool' ? ' field-bool' : ''}${locked ? ' locked' : ''}`}>
      <span className="label-line">
        <label htmlFor={id}>{text}</label>
        {locked && <LockIcon />}
      </span>
      {input}
      {(f.help || locked) && (
        <small id={helpId} className="help">
          {f.help ?? ''}
          {lockNote}
        </small>
      )}
      {error && (
        <small id={`${id}-err`} className="error" role="alert">
          {error}
        </small>
      )}
    </div>
  );
}
