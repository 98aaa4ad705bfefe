// A link the user copies: read-only, selected whole on focus so one Ctrl+C takes all of it, with what the copy
// button did ("Copied: … (N characters)") under it.
export function LinkOutput({ value, label, note }: { value: string; label: string; note?: string }) {
  return (
    <>
      <input className="link-out" readOnly value={value} aria-label={label} onFocus={(e) => e.target.select()} />
      {note && (
        <small className="help" role="status">
          {note}
        </small>
      )}
    </>
  );
}
