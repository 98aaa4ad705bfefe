// A link the user copies: read-only, selected whole on focus so one Ctrl+C takes all of it.
export function LinkOutput({ value, label }: { value: string; label: string }) {
  return <input className="link-out" readOnly value={value} aria-label={label} onFocus={(e) => e.target.select()} />;
}
