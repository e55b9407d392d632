ALTER TABLE `benchmark_results` ADD `step_ms_samples` text;--> statement-breakpoint
ALTER TABLE `benchmark_results` ADD `latency_sd` real;--> statement-breakpoint
ALTER TABLE `benchmark_results` ADD `latency_rme` real;--> statement-breakpoint
ALTER TABLE `benchmark_results` ADD `latency_samples` integer;--> statement-breakpoint
ALTER TABLE `benchmark_results` ADD `allocation` text;--> statement-breakpoint
ALTER TABLE `training_runs` ADD `cohort_key` text;--> statement-breakpoint
ALTER TABLE `training_runs` ADD `allocation` text;--> statement-breakpoint
CREATE INDEX `training_runs_cohort` ON `training_runs` (`cohort_key`);--> statement-breakpoint
UPDATE `training_runs` SET `cohort_key` = `pair_key` WHERE `cohort_key` IS NULL;