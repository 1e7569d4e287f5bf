import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Permission } from '@mosaic/domain';
import { AssessmentIdParam } from '../assessments/dto/assessment-params.dto';
import { AuditService } from '../audit/audit.service';
import { Authorize } from '../auth/authorize.decorator';
import { CurrentActor } from '../common/context/request-actor';
import type { RequestActor } from '../common/context/request-actor';
import type { Page } from '../patients/dto/paging.dto';
import { CreateReviewDto } from './dto/create-review.dto';
import { ReviewListQueryDto, ReviewScopeQueryDto } from './dto/review-query.dto';
import {
  ReviewableAssessmentDto,
  ReviewDto,
  ReviewHistoryDto,
  ReviewSummaryDto,
} from './dto/review-response.dto';
import { ReviewSummaryService } from './review-summary.service';
import { ReviewWorklistService } from './review-worklist.service';
import { ReviewsService } from './reviews.service';

/** Review of assessment explanations by auditors (docs/assessments.md §Review). */
@ApiTags('reviews')
@ApiBearerAuth()
@Controller('assessments')
export class AssessmentReviewsController {
  constructor(
    private readonly reviews: ReviewsService,
    private readonly worklist: ReviewWorklistService,
    private readonly audit: AuditService,
  ) {}

  /** Assessments across patients, newest first, filtered by label, model, time and review status. */
  @Get()
  @Authorize(Permission.ReviewRead)
  @ApiOkResponse({
    type: ReviewableAssessmentDto,
    isArray: true,
    description: 'a page: items, total, limit, offset',
  })
  list(
    @Query() query: ReviewListQueryDto,
    @CurrentActor() actor: RequestActor,
  ): Promise<Page<ReviewableAssessmentDto>> {
    return this.audit.audited(
      actor,
      (manager) => this.worklist.list(manager, query),
      (page) => ({
        action: 'review.assessment-list',
        resourceType: 'Assessment',
        resourceIds: page.items.map((a) => a.id),
      }),
    );
  }

  /** Records a review; it supersedes any earlier review of the assessment. */
  @Post(':id/reviews')
  @Authorize(Permission.ReviewWrite)
  @ApiCreatedResponse({ type: ReviewDto })
  async create(
    @Param() params: AssessmentIdParam,
    @Body() body: CreateReviewDto,
    @CurrentActor() actor: RequestActor,
  ): Promise<ReviewDto> {
    const { review } = await this.audit.audited(
      actor,
      (manager) => this.reviews.record(manager, actor.username, params.id, body),
      (result) => ({
        action: 'review.create',
        resourceType: 'Review',
        resourceIds: [result.review.id, params.id],
        patientId: result.patientId,
      }),
    );
    return review;
  }

  /** Every review of the assessment, newest first, and its current status. */
  @Get(':id/reviews')
  @Authorize(Permission.ReviewRead)
  @ApiOkResponse({ type: ReviewHistoryDto })
  async history(
    @Param() params: AssessmentIdParam,
    @CurrentActor() actor: RequestActor,
  ): Promise<ReviewHistoryDto> {
    const { history } = await this.audit.audited(
      actor,
      (manager) => this.reviews.history(manager, params.id),
      (result) => ({
        action: 'review.list',
        resourceType: 'Review',
        resourceIds: [params.id, ...result.history.reviews.map((r) => r.id)],
        patientId: result.patientId,
      }),
    );
    return history;
  }
}

@ApiTags('reviews')
@ApiBearerAuth()
@Controller('reviews')
export class ReviewSummaryController {
  constructor(
    private readonly summaries: ReviewSummaryService,
    private readonly audit: AuditService,
  ) {}

  /** The share of plausible reviews (latest review per assessment) per label and per model version. */
  @Get('summary')
  @Authorize(Permission.ReviewRead)
  @ApiOkResponse({ type: ReviewSummaryDto })
  summary(
    @Query() query: ReviewScopeQueryDto,
    @CurrentActor() actor: RequestActor,
  ): Promise<ReviewSummaryDto> {
    return this.audit.audited(
      actor,
      (manager) => this.summaries.summarise(manager, query),
      () => ({ action: 'review.summary', resourceType: 'Review', resourceIds: [] }),
    );
  }
}
