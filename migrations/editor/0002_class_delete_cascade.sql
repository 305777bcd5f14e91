ALTER TABLE "class_students" DROP CONSTRAINT "class_students_school_class_id_school_classes_id_fk";
--> statement-breakpoint
ALTER TABLE "class_teachers" DROP CONSTRAINT "class_teachers_school_class_id_school_classes_id_fk";
--> statement-breakpoint
ALTER TABLE "lessons" DROP CONSTRAINT "lessons_school_class_id_school_classes_id_fk";
--> statement-breakpoint
ALTER TABLE "class_students" ADD CONSTRAINT "class_students_school_class_id_school_classes_id_fk" FOREIGN KEY ("school_class_id") REFERENCES "public"."school_classes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "class_teachers" ADD CONSTRAINT "class_teachers_school_class_id_school_classes_id_fk" FOREIGN KEY ("school_class_id") REFERENCES "public"."school_classes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lessons" ADD CONSTRAINT "lessons_school_class_id_school_classes_id_fk" FOREIGN KEY ("school_class_id") REFERENCES "public"."school_classes"("id") ON DELETE set null ON UPDATE no action;