import { Module } from '@nestjs/common';
import { ReviewSummaryService } from './review-summary.service';
import { ReviewWorklistService } from './review-worklist.service';
import { AssessmentReviewsController, ReviewSummaryController } from './reviews.controller';
import { ReviewsService } from './reviews.service';

@Module({
  controllers: [AssessmentReviewsController, ReviewSummaryController],
  providers: [ReviewsService, ReviewWorklistService, ReviewSummaryService],
})
export class ReviewsModule {}
