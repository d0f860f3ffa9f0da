import {
  AssumeRoleCommand,
  type AssumeRoleCommandInput,
  type AssumeRoleCommandOutput,
  STSClient,
} from '@aws-sdk/client-sts';

// The STS SDK calls of identity.ts, apart so that module loads them only when a role is first assumed.

export const newStsClient = (region: string): STSClient => new STSClient({ region });

export const assumeRole = (
  client: STSClient,
  input: AssumeRoleCommandInput,
): Promise<AssumeRoleCommandOutput> => client.send(new AssumeRoleCommand(input));
