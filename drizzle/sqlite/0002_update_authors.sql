ALTER TABLE `doc_updates` ADD `by_sub` text;--> statement-breakpoint
ALTER TABLE `doc_updates` ADD `by_name` text;--> statement-breakpoint
ALTER TABLE `doc_updates` ADD `at` integer;