CREATE TABLE `benchmark_results` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`job_key` text NOT NULL,
	`model` text NOT NULL,
	`training_run_id` integer,
	`runtime` text NOT NULL,
	`backend` text NOT NULL,
	`device` text NOT NULL,
	`precision` text NOT NULL,
	`batch_size` integer NOT NULL,
	`resolution` integer NOT NULL,
	`params` integer,
	`gmacs` real,
	`images_per_sec` real,
	`step_ms_mean` real,
	`step_ms_median` real,
	`step_ms_p90` real,
	`step_ms_p99` real,
	`step_ms_sd` real,
	`rme` real,
	`samples` integer,
	`latency_p50` real,
	`latency_p90` real,
	`latency_p99` real,
	`latency_mean` real,
	`noisy` integer DEFAULT false NOT NULL,
	`status` text NOT NULL,
	`error` text,
	`protocol` text NOT NULL,
	`nightly_id` integer,
	`environment_id` integer,
	`created_at` text NOT NULL,
	FOREIGN KEY (`model`) REFERENCES `models`(`name`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`training_run_id`) REFERENCES `training_runs`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`nightly_id`) REFERENCES `nightly_runs`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`environment_id`) REFERENCES `environments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `benchmark_results_job_nightly` ON `benchmark_results` (`job_key`,`nightly_id`);--> statement-breakpoint
CREATE INDEX `benchmark_results_filter` ON `benchmark_results` (`device`,`runtime`,`backend`,`precision`,`batch_size`,`resolution`);--> statement-breakpoint
CREATE TABLE `datasets` (
	`name` text PRIMARY KEY NOT NULL,
	`num_classes` integer NOT NULL,
	`channels` integer NOT NULL,
	`resolution` integer NOT NULL,
	`class_names` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `environments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`hash` text NOT NULL,
	`host` text NOT NULL,
	`cpu_model` text NOT NULL,
	`cores` integer NOT NULL,
	`gpu` text,
	`os` text NOT NULL,
	`versions` text NOT NULL,
	`first_seen` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `environments_hash` ON `environments` (`hash`);--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`nightly_id` integer NOT NULL,
	`kind` text NOT NULL,
	`key` text NOT NULL,
	`label` text NOT NULL,
	`status` text NOT NULL,
	`log_path` text,
	`error` text,
	`started_at` text,
	`ended_at` text,
	`inputs` text NOT NULL,
	FOREIGN KEY (`nightly_id`) REFERENCES `nightly_runs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `jobs_nightly_key` ON `jobs` (`nightly_id`,`key`);--> statement-breakpoint
CREATE TABLE `models` (
	`name` text PRIMARY KEY NOT NULL,
	`family` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`params` integer,
	`gmacs` real,
	`gmacs_resolution` integer,
	`default_resolution` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `nightly_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`started_at` text NOT NULL,
	`ended_at` text,
	`status` text NOT NULL,
	`git_commit` text NOT NULL,
	`host` text NOT NULL,
	`pid` integer NOT NULL,
	`preset` text,
	`config` text NOT NULL,
	`environment_id` integer,
	`summary` text,
	FOREIGN KEY (`environment_id`) REFERENCES `environments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `pipeline_lock` (
	`id` integer PRIMARY KEY NOT NULL,
	`nightly_id` integer NOT NULL,
	`pid` integer NOT NULL,
	`host` text NOT NULL,
	`acquired_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `recipes` (
	`hash` text PRIMARY KEY NOT NULL,
	`recipe` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `teachers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`model` text NOT NULL,
	`dataset` text NOT NULL,
	`dir` text NOT NULL,
	`top1` real NOT NULL,
	`training_run_id` integer,
	`job_key` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`model`) REFERENCES `models`(`name`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`dataset`) REFERENCES `datasets`(`name`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`training_run_id`) REFERENCES `training_runs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `teachers_job_key` ON `teachers` (`job_key`);--> statement-breakpoint
CREATE TABLE `training_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`job_key` text NOT NULL,
	`pair_key` text NOT NULL,
	`model` text NOT NULL,
	`dataset` text NOT NULL,
	`recipe_hash` text NOT NULL,
	`mode` text NOT NULL,
	`teacher_id` integer,
	`teacher_model` text,
	`seed` integer NOT NULL,
	`epochs` integer NOT NULL,
	`batch_size` integer NOT NULL,
	`resolution` integer NOT NULL,
	`train_limit` integer,
	`test_limit` integer,
	`status` text NOT NULL,
	`error` text,
	`curve` text NOT NULL,
	`top1_raw` real,
	`top5_raw` real,
	`top1_ema` real,
	`top5_ema` real,
	`best` text,
	`top1` real,
	`top5` real,
	`wall_seconds` real,
	`model_dir` text,
	`backend` text,
	`code_version` text NOT NULL,
	`nightly_id` integer,
	`environment_id` integer,
	`created_at` text NOT NULL,
	FOREIGN KEY (`model`) REFERENCES `models`(`name`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`dataset`) REFERENCES `datasets`(`name`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`recipe_hash`) REFERENCES `recipes`(`hash`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`nightly_id`) REFERENCES `nightly_runs`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`environment_id`) REFERENCES `environments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `training_runs_job_nightly` ON `training_runs` (`job_key`,`nightly_id`);--> statement-breakpoint
CREATE INDEX `training_runs_pair` ON `training_runs` (`pair_key`);--> statement-breakpoint
CREATE INDEX `training_runs_model` ON `training_runs` (`model`,`dataset`);