// Sample pipelines over GraphQL: each query and mutation calls SamplesService, which checks permissions and
// `allowed_samples` exactly as for REST. Registered by the GraphQL module.
import { UseFilters } from '@nestjs/common';
import { Args, Context, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { GqlCallers, GraphqlErrorFilter, type GqlContext } from '../graphql/gql-context';
import { SaveSampleInput } from '../graphql/inputs';
import { sample } from '../graphql/mappers';
import { SampleMode, SamplePipelineType } from '../graphql/types';
import { SamplesService } from './samples.service';

@Resolver()
@UseFilters(GraphqlErrorFilter)
export class SamplesResolver {
  constructor(
    private readonly samplesService: SamplesService,
    private readonly callers: GqlCallers,
  ) {}

  @Query(() => [SamplePipelineType], {
    description: 'Sample pipelines and fragments; both modes unless given',
  })
  async samples(
    @Context() ctx: GqlContext,
    @Args('mode', { type: () => SampleMode, nullable: true }) mode?: SampleMode | null,
  ): Promise<SamplePipelineType[]> {
    const caller = this.callers.callerOf(ctx);
    const modes = mode ? [mode] : [SampleMode.ONESHOT, SampleMode.DYNAMIC];
    const lists = await Promise.all(modes.map((m) => this.samplesService.list(caller, m)));
    return lists.flat().map(sample);
  }

  @Query(() => SamplePipelineType)
  async sample(
    @Context() ctx: GqlContext,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<SamplePipelineType> {
    return sample(await this.samplesService.get(this.callers.callerOf(ctx), id));
  }

  @Mutation(() => SamplePipelineType, { description: 'Saves into user/; comments and layout are kept' })
  async saveSample(
    @Context() ctx: GqlContext,
    @Args('input') input: SaveSampleInput,
  ): Promise<SamplePipelineType> {
    const saved = await this.samplesService.save(this.callers.callerOf(ctx), {
      name: input.name,
      description: input.description,
      yaml: input.yaml,
      overwrite: input.overwrite ?? undefined,
      is_fragment: input.isFragment ?? undefined,
    });
    return sample(saved);
  }

  @Mutation(() => Boolean)
  async deleteSample(
    @Context() ctx: GqlContext,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<boolean> {
    await this.samplesService.delete(this.callers.callerOf(ctx), id);
    return true;
  }
}
