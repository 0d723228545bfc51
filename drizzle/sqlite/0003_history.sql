CREATE TABLE `doc_checkpoints` (
	`doc_id` text NOT NULL,
	`seq` integer NOT NULL,
	`state` blob NOT NULL,
	PRIMARY KEY(`doc_id`, `seq`),
	FOREIGN KEY (`doc_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `doc_versions` (
	`doc_id` text NOT NULL,
	`seq` integer NOT NULL,
	`name` text,
	`at` integer NOT NULL,
	`by_sub` text,
	`by_name` text,
	PRIMARY KEY(`doc_id`, `seq`),
	FOREIGN KEY (`doc_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE cascade
);
