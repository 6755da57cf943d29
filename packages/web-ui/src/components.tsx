import type { ComponentChildren } from 'preact';
import { formatTime } from './format';

export function ErrorMessage({ message }: { message: string }) {
  return (
    <p class="error" role="alert">
      {message}
    </p>
  );
}

export function Time({ iso }: { iso: string }) {
  return <time dateTime={iso}>{formatTime(iso)}</time>;
}

export function StatusBadge({ status }: { status: string }) {
  return <span class={`status status-${status}`}>{status}</span>;
}

/** A key/value table (env, annotations): every key and value is text, whatever a CI job put in it. */
export function KeyValueTable({
  caption,
  entries,
  empty,
  className,
}: {
  caption: string;
  entries: Record<string, string>;
  empty: string;
  className: string;
}) {
  const rows = Object.entries(entries);
  if (rows.length === 0) {
    return (
      <section class={className}>
        <h3>{caption}</h3>
        <p>{empty}</p>
      </section>
    );
  }
  return (
    <section class={className}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Value</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([name, value]) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function Section({
  title,
  children,
  className,
}: {
  title: string;
  children: ComponentChildren;
  className?: string;
}) {
  return (
    <section class={className}>
      <h3>{title}</h3>
      {children}
    </section>
  );
}

/**
 * Preformatted text in a scrolling box: keyboard users must be able to focus the box to scroll it (axe's
 * scrollable-region-focusable), so the box is a labelled, focusable region.
 */
export function Scrollable({
  className,
  label,
  children,
}: {
  className: string;
  label: string;
  children: ComponentChildren;
}) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be focusable to be scrolled by keyboard.
    <section class="scroll-box" tabIndex={0} aria-label={label}>
      <pre class={className}>{children}</pre>
    </section>
  );
}
