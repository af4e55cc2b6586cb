/** What a MongoDB collection is set up with: its validator and its indexes. */

export interface IndexSpec {
  name: string;
  key: Record<string, 1 | -1>;
  unique?: boolean;
}

export interface CollectionSpec {
  name: string;
  validator: { $jsonSchema: MongoJsonSchema };
  indexes: IndexSpec[];
}

export type MongoJsonSchema = { [key: string]: unknown };
