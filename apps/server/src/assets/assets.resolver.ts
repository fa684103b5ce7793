// Audio assets over GraphQL: listing and deleting through AssetsService, with the same rules as REST
// (uploads stay on REST: they are streamed multipart bodies). Registered by the GraphQL module.
import { UseFilters } from '@nestjs/common';
import { Args, Context, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { GqlCallers, GraphqlErrorFilter, type GqlContext } from '../graphql/gql-context';
import { asset } from '../graphql/mappers';
import { AudioAssetType } from '../graphql/types';
import { AssetsService } from './assets.service';

@Resolver()
@UseFilters(GraphqlErrorFilter)
export class AssetsResolver {
  constructor(
    private readonly assetsService: AssetsService,
    private readonly callers: GqlCallers,
  ) {}

  @Query(() => [AudioAssetType])
  async assets(@Context() ctx: GqlContext): Promise<AudioAssetType[]> {
    return (await this.assetsService.list(this.callers.callerOf(ctx))).map(asset);
  }

  @Mutation(() => Boolean, { description: 'Deletes a user asset (system assets are read-only)' })
  async deleteAsset(
    @Context() ctx: GqlContext,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<boolean> {
    await this.assetsService.delete(this.callers.callerOf(ctx), id);
    return true;
  }
}
