/**
 * The supervisor panels' table: a first column that names each row (a
 * counter, a unit, a reason) and columns of figures, already formatted for
 * the locale. One markup for every such panel, so their headers, classes
 * and row attributes (which the tests and styles select on) cannot drift.
 */

/** One row: its key, the name in the first column, and its figures as text. */
export interface CountRow {
  readonly key: string;
  readonly name: string;
  readonly cells: readonly string[];
}

/** A table of named rows; each row carries `data-<rowAttribute>="<key>"` (a row's columns are fixed, so a cell's key is its position). */
export function CountTable(props: { nameHeading: string; headings: readonly string[]; rows: readonly CountRow[]; rowAttribute: string }) {
  const { rows, rowAttribute } = props;
  return (
    <table class="data">
      <thead>
        <tr>
          <th scope="col" class="unit">
            {props.nameHeading}
          </th>
          {props.headings.map((h) => (
            <th scope="col" key={h}>
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key} {...{ [`data-${rowAttribute}`]: r.key }}>
            <td class="unit">{r.name}</td>
            {r.cells.map((c, i) => (
              <td class="num" key={i}>
                {c}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
