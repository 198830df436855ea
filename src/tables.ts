import { DynamodbContributorInsights } from '@cdktf/provider-aws/lib/dynamodb-contributor-insights';
import { DynamodbTable, DynamodbTableConfig } from '@cdktf/provider-aws/lib/dynamodb-table';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { KmsReplicaKey } from '@cdktf/provider-aws/lib/kms-replica-key';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { LOCK_TABLE_SCHEMA, TASK_TABLE_SCHEMA } from '../handlers/common/processor-parameters';

export interface TaskTablesProps {
  readonly primary: AwsProvider;
  readonly replica: AwsProvider;
  readonly replicaRegion: string;
  readonly key: KmsKey;
  readonly replicaKey: KmsReplicaKey;
  readonly namePrefix: string;
}

type TableShape = Pick<DynamodbTableConfig, 'name' | 'hashKey' | 'attribute' | 'globalSecondaryIndex' | 'ttl'>;

/**
 * The task table and the lock table: on-demand global tables (primary region plus one
 * replica), encrypted with the stack key in each region, with PITR, TTL, deletion
 * protection and Contributor Insights in both regions.
 *
 * Conditional writes are strongly consistent only within one region; across regions
 * global tables resolve conflicts last-writer-wins. Tasks are therefore processed in
 * the primary region only, and the replica is for recovery.
 */
export class TaskTables extends Construct {
  readonly taskTable: DynamodbTable;
  readonly lockTable: DynamodbTable;

  constructor(scope: Construct, id: string, private readonly props: TaskTablesProps) {
    super(scope, id);
    const t = TASK_TABLE_SCHEMA;
    this.taskTable = this.globalTable('tasks', {
      name: `${props.namePrefix}-tasks`,
      hashKey: t.partitionKey,
      attribute: [
        { name: t.partitionKey, type: 'S' },
        { name: t.statusIndexPartitionKey, type: 'S' },
        { name: t.statusIndexSortKey, type: 'N' },
      ],
      // Keys only: a reader queries each `<STATUS>#<n>` shard, then reads the tasks it needs.
      globalSecondaryIndex: [
        { name: t.statusIndexName, hashKey: t.statusIndexPartitionKey, rangeKey: t.statusIndexSortKey, projectionType: 'KEYS_ONLY' },
      ],
      ttl: { attributeName: t.ttlAttribute, enabled: true },
    });
    this.insights('tasks-index', this.taskTable, t.statusIndexName);

    const l = LOCK_TABLE_SCHEMA;
    this.lockTable = this.globalTable('locks', {
      name: `${props.namePrefix}-locks`,
      hashKey: l.partitionKey,
      attribute: [{ name: l.partitionKey, type: 'S' }],
      ttl: { attributeName: l.ttlAttribute, enabled: true },
    });
  }

  private globalTable(id: string, shape: TableShape): DynamodbTable {
    const { props } = this;
    const table = new DynamodbTable(this, id, {
      ...shape,
      provider: props.primary,
      billingMode: 'PAY_PER_REQUEST',
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: props.key.arn },
      deletionProtectionEnabled: true,
      // Global tables replicate through streams.
      streamEnabled: true,
      streamViewType: 'NEW_AND_OLD_IMAGES',
      replica: [
        {
          regionName: props.replicaRegion,
          kmsKeyArn: props.replicaKey.arn,
          pointInTimeRecovery: true,
          deletionProtectionEnabled: true,
          // Without it the providers' default tags never reach the replica.
          propagateTags: true,
        },
      ],
    });
    this.insights(id, table);
    return table;
  }

  /** Contributor Insights on a table or index, in the primary region and on the replica. */
  private insights(id: string, table: DynamodbTable, indexName?: string): void {
    new DynamodbContributorInsights(this, `${id}-insights`, { provider: this.props.primary, tableName: table.name, indexName });
    // The replica exists once the table (with its replica block) is created: referencing the table orders it.
    new DynamodbContributorInsights(this, `${id}-insights-replica`, { provider: this.props.replica, tableName: table.name, indexName });
  }
}
