import { MetricUnit } from '@aws-lambda-powertools/metrics';

/** Powertools reads the metric namespace and the `service` dimension from these variables. */
export const METRICS_NAMESPACE_ENV = 'POWERTOOLS_METRICS_NAMESPACE';
export const SERVICE_NAME_ENV = 'POWERTOOLS_SERVICE_NAME';

/** Dimension Powertools adds to every metric, valued from {@link SERVICE_NAME_ENV}. */
export const SERVICE_DIMENSION = 'service';

/**
 * The processor's embedded-metric-format metrics: names the dashboard and alarms reference.
 * Counts are per task (SQS record), not per invocation.
 */
export const PROCESSOR_METRICS = {
  tasksSucceeded: { name: 'TasksSucceeded', unit: MetricUnit.Count },
  tasksFailed: { name: 'TasksFailed', unit: MetricUnit.Count },
  tasksRejected: { name: 'TasksRejected', unit: MetricUnit.Count },
  /** Deliveries of a task that had already finished. */
  tasksDuplicate: { name: 'TasksDuplicate', unit: MetricUnit.Count },
  /** Records returned in `batchItemFailures` for a later retry. */
  tasksRetried: { name: 'TasksRetried', unit: MetricUnit.Count },
  /** Claims refused because another worker holds a live lease on the task. */
  claimConflicts: { name: 'ClaimConflicts', unit: MetricUnit.Count },
  /** Records that found their object locked and had to wait. */
  lockWaits: { name: 'LockWaits', unit: MetricUnit.Count },
  lockWaitTime: { name: 'LockWaitTime', unit: MetricUnit.Milliseconds },
  /** Completions refused because the worker's claim had been taken over. */
  staleCompletions: { name: 'StaleCompletions', unit: MetricUnit.Count },
  notificationFailures: { name: 'NotificationFailures', unit: MetricUnit.Count },
} as const;

export type ProcessorMetric = keyof typeof PROCESSOR_METRICS;
