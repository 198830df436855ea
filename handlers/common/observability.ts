import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/** Structured JSON logger; service name and level come from POWERTOOLS_SERVICE_NAME / POWERTOOLS_LOG_LEVEL. */
export const logger = new Logger();

/** EMF metrics; namespace and service dimension come from POWERTOOLS_METRICS_NAMESPACE / POWERTOOLS_SERVICE_NAME. */
export const metrics = new Metrics();
