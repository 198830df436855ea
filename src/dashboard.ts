/**
 * Typed CloudWatch dashboard widgets, serialized once into the `dashboard_body` JSON
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html).
 * Resource names inside may be Terraform references: they stay plain JSON strings.
 */

/** One CloudWatch metric: the same object feeds a dashboard line and an alarm. */
export interface Metric {
  readonly namespace: string;
  readonly metricName: string;
  /** Every dimension the metric is published with: CloudWatch does not aggregate over a missing one. */
  readonly dimensions: Readonly<Record<string, string>>;
  /** Statistic, e.g. `Sum`, `Maximum`, `p99`. */
  readonly stat: string;
}

/** A metric drawn on a graph. */
export interface MetricLine extends Metric {
  readonly label: string;
  /** Needed when an expression of the same widget refers to this line. */
  readonly id?: string;
  /** @default true */
  readonly visible?: boolean;
}

/** A metric math expression over lines of the same widget. */
export interface ExpressionLine {
  readonly expression: string;
  readonly label: string;
  readonly id: string;
}

export type Line = MetricLine | ExpressionLine;

/** A horizontal line, e.g. an alarm threshold or a configured limit. */
export interface Annotation {
  readonly label: string;
  readonly value: number;
}

export interface GraphWidget {
  readonly kind: 'graph';
  readonly title: string;
  /** Region the metrics are read from; every widget names one. */
  readonly region: string;
  readonly lines: readonly Line[];
  readonly periodSeconds: number;
  /** @default [] */
  readonly annotations?: readonly Annotation[];
}

/** Alarm states; the ARNs name the alarms' region (this widget type has no region property). */
export interface AlarmStatusWidget {
  readonly kind: 'alarms';
  readonly title: string;
  readonly alarmArns: readonly string[];
}

export type Widget = GraphWidget | AlarmStatusWidget;

/** CloudWatch lays widgets on a grid 24 units wide. */
const GRID_WIDTH = 24;
const WIDGET_HEIGHT = 6;

function isExpression(line: Line): line is ExpressionLine {
  return 'expression' in line;
}

/** `[namespace, name, dim1, value1, ..., { options }]` or `[{ expression, label, id }]`. */
function serializeLine(line: Line): unknown[] {
  if (isExpression(line)) return [{ expression: line.expression, label: line.label, id: line.id }];
  const options: Record<string, unknown> = { stat: line.stat, label: line.label };
  if (line.id) options.id = line.id;
  if (line.visible === false) options.visible = false;
  return [line.namespace, line.metricName, ...Object.entries(line.dimensions).flat(), options];
}

function serializeProperties(widget: Widget): Record<string, unknown> {
  if (widget.kind === 'alarms') {
    // Alarms in ALARM first, then by most recent change.
    return { title: widget.title, alarms: widget.alarmArns, sortBy: 'stateUpdatedTimestamp' };
  }
  const ids = new Set(widget.lines.filter((l) => !isExpression(l) && l.id).map((l) => (l as MetricLine).id));
  for (const line of widget.lines.filter(isExpression)) {
    const missing = (line.expression.match(/\b[a-z]\w*/g) ?? []).filter((id) => !ids.has(id));
    if (missing.length) throw new Error(`widget "${widget.title}": expression ${line.id} refers to unknown ids ${missing.join(', ')}`);
  }
  return {
    title: widget.title,
    region: widget.region,
    view: 'timeSeries',
    stacked: false,
    period: widget.periodSeconds,
    metrics: widget.lines.map(serializeLine),
    ...(widget.annotations?.length ? { annotations: { horizontal: widget.annotations.map((a) => ({ ...a })) } } : {}),
  };
}

/** The dashboard body: each row shares the grid width equally. */
export function dashboardBody(rows: readonly (readonly Widget[])[]): string {
  const widgets = rows.flatMap((row, rowIndex) => {
    if (row.length === 0 || GRID_WIDTH % row.length !== 0) throw new Error(`a dashboard row needs 1, 2, 3, 4, 6, 8, 12 or 24 widgets; got ${row.length}`);
    const width = GRID_WIDTH / row.length;
    return row.map((widget, column) => ({
      type: widget.kind === 'alarms' ? 'alarm' : 'metric',
      x: column * width,
      y: rowIndex * WIDGET_HEIGHT,
      width,
      height: WIDGET_HEIGHT,
      properties: serializeProperties(widget),
    }));
  });
  return JSON.stringify({ widgets });
}
