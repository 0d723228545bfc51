CREATE TABLE `revocations` (
	`kind` text NOT NULL,
	`value` text NOT NULL,
	`revoked_at` integer NOT NULL,
	PRIMARY KEY(`kind`, `value`)
);
--> statement-breakpoint
CREATE TABLE `used_tickets` (
	`id` text PRIMARY KEY NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `used_tickets_expires_at` ON `used_tickets` (`expires_at`);